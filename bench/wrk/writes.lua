-- Shared by the write scenarios: wrk's argument is a file of ids (one a line) and each request,
-- JSON, is made by `step(counter, ids)`, the counter going 0, 1, 2… per thread.
-- A script runs it as `dofile(here .. "writes.lua")(here, step)`: it sets wrk's init, request
-- and done for that script.
return function(here, step)
  done = dofile(here .. "report.lua")
  local ids = {}
  local counter = -1

  function init(args)
    for line in io.lines(args[1]) do
      if #line > 0 then ids[#ids + 1] = line end
    end
    wrk.headers["Content-Type"] = "application/json"
  end

  function request()
    counter = counter + 1
    return step(counter, ids)
  end
end
