-- Referral transitions that stay valid for as long as wrk runs: every referral listed (one id a
-- line, all in progress at the start) is put on hold, then, one pass over the list later,
-- resumed, and so on. The list is much longer than the number of connections, so a referral's
-- previous step has been answered before its next one is sent. Run with one thread (-t1): the
-- counter is per thread.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "writes.lua")(here, function(counter, ids)
  local n = #ids
  local action = (math.floor(counter / n) % 2 == 0) and "hold" or "resume"
  return wrk.format("POST", "/api/v1/referrals/" .. ids[counter % n + 1] .. "/" .. action, nil, '{"note":""}')
end)
