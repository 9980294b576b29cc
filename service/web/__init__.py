"""The browser side: sessions, language, templates and the pages shared by every area."""
