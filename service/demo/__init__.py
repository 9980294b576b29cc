"""Demo data for ``ketnoi seed-demo`` and the tests: ``seed`` loads it (accounts, then the directory,
then the cases), ``directory`` holds the demo organizations and listings, ``cases`` the demo cases."""
