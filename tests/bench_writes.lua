-- The writes of `make bench`: thank-yous and attendance taps in turn, as a busy shift makes them.
-- Set from the environment by tests/bench_http.py: BENCH_TOKEN (a lead's API token),
-- BENCH_KUDOS_TO (a colleague's id), BENCH_ATTENDANCE (the path of an attendance mark).
local token = os.getenv("BENCH_TOKEN")
local kudos_to = os.getenv("BENCH_KUDOS_TO")
local attendance = os.getenv("BENCH_ATTENDANCE")
local statuses = {"present", "late"}
local counter = 0

request = function()
  counter = counter + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  if counter % 2 == 0 then
    local body = '{"to_user_id": ' .. kudos_to .. ', "message": "Thanks for the cover (bench ' ..
      counter .. ')", "value": "extra-mile"}'
    return wrk.format("POST", "/api/v1/kudos", headers, body)
  end
  local body = '{"status": "' .. statuses[math.floor(counter / 2) % 2 + 1] .. '"}'
  return wrk.format("PUT", attendance, headers, body)
end

local statuses_seen = {}
response = function(status, headers, body)
  statuses_seen[status] = (statuses_seen[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write("writes-done\n")
end
