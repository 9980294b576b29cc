-- Listing updates: "beds free" set on each shelter listed (one id a line) in turn, 0 to 20.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
done = dofile(here .. "report.lua")
local read_ids = dofile(here .. "ids.lua")

local ids = {}
local counter = -1

function init(args)
  ids = read_ids(args[1])
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format('{"available":%d}', counter % 21)
  return wrk.format("PUT", "/api/v1/services/" .. ids[counter % #ids + 1] .. "/capacity", nil, body)
end
