-- The 95/5 mix: 19 of every 20 requests are reads rotating over args[1] (a pre-shuffled,
-- weighted list of read paths), the 20th is a comment submission to an article of args[2].
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")

local reads, r, posts, p, count

function init(args)
  reads = {}
  for _, path in ipairs(read_lines(args[1])) do reads[#reads + 1] = wrk.format("GET", path) end
  posts = read_lines(args[2])
  r = start_index(#reads)
  p = start_index(#posts)
  count = 0
end

function request()
  count = count + 1
  if count % 20 == 0 then
    p = p % #posts + 1
    return comment_request(posts[p])
  end
  r = r % #reads + 1
  return reads[r]
end

function response(status, headers, body)
  count_status(status)
end
