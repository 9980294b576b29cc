-- The partner accepts referrals sent to it (one id a line, all "sent" at the start), each once:
-- every step tells the referring caseworker (a notification and a mail outbox row). The list is
-- longer than a run can answer, so no request finds its referral already answered (a 409 would
-- count as non-2xx). Run with one thread (-t1): the counter is per thread.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "writes.lua")(here, function(counter, ids)
  return wrk.format("POST", "/api/v1/referrals/" .. ids[counter % #ids + 1] .. "/accept", nil, '{"note":""}')
end)
