-- Shared by every scenario script (loaded with dofile): per-thread bookkeeping, optional
-- status counting, and one machine-readable result line that bench/run parses.
--
-- wrk runs one Lua state per thread plus one for setup()/done(); setup() gives each thread
-- an id (so threads start at different places in the rotation) and done() collects the
-- per-thread status counts with thread:get().

local threads = {}
local created = 0

function setup(thread)
  created = created + 1
  thread:set("thread_id", created)
  table.insert(threads, thread)
end

-- Lines of a file, skipping empty ones.
function read_lines(path)
  local lines = {}
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in f:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  f:close()
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

-- Splits "a\tb\tc" into {"a", "b", "c"}.
function split_tabs(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do out[#out + 1] = field end
  return out
end

-- Where this thread starts in a list of n items.
function start_index(n)
  return ((thread_id or 1) * 7919) % n
end

-- Scripts that care about exact statuses call this from response().
statuses = {}
function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

-- A comment submission (POST) to an article path, each with a distinct body and email.
local bodies = {
  "تحليل مفيد، شكراً لكم.",
  "هل من تفاصيل إضافية حول هذا الموضوع؟\nننتظر المتابعة.",
  "أتفق مع ما جاء في المقال، لكن العبرة بالتنفيذ.",
  "Great summary, thanks.",
  "Any source for these numbers?",
}
local names = { "سارة", "أحمد", "ليلى", "Lee", "Maria" }

function comment_request(path)
  comment_seq = (comment_seq or 0) + 1
  local n = comment_seq
  local k = n % #bodies + 1
  local body = string.format(
    '{"author_name":"%s","author_email":"bench%d.%d@example.com","body":"%s %d","website":""}',
    names[k], thread_id or 0, n, bodies[k]:gsub("\n", "\\n"), n)
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if type(s) == "table" then
      for k, v in pairs(s) do
        counts[tostring(k)] = (counts[tostring(k)] or 0) + v
      end
    end
  end
  local parts = {}
  for k, v in pairs(counts) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"p999_us":%d,"max_us":%d,"mean_us":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(90)),
    math.floor(latency:percentile(99)), math.floor(latency:percentile(99.9)),
    math.floor(latency.max), math.floor(latency.mean), table.concat(parts, ",")))
end
