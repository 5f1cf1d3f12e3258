-- wrk script: replays pre-signed webhook requests written by `fleetsim --write-requests FILE`.
--   wrk ... -s requests.lua URL -- FILE FIRST COUNT THREADS
-- uses requests FIRST .. FIRST+COUNT-1 of FILE; THREADS must equal wrk's -t. Thread k sends
-- FIRST+k, FIRST+k+THREADS, ... so no two threads send the same request and every request is
-- sent once before any is sent again. When a thread runs out it starts over from its first request
-- and counts a wrap: a receiver that deduplicates by eventId then sees duplicates, and the summary
-- says so ("wraps=").
-- The file is mapped (mmap through LuaJIT's FFI), not read into Lua strings: the threads share one
-- copy in the page cache, start at once, and stay clear of LuaJIT's heap limit.
local ffi = require("ffi")
ffi.cdef [[
int open(const char *path, int flags);
int close(int fd);
void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);
]]

local threads = {}
local nextId = 0

function setup(thread)
   thread:set("id", nextId)
   nextId = nextId + 1
   table.insert(threads, thread)
end

local base, offsets, position, last, stride, first
wraps = 0
sent = 0

function init(args)
   local path = args[1]
   first = tonumber(args[2])
   local count = tonumber(args[3])
   stride = tonumber(args[4])
   local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
   local magic = f:read(8)
   local size = f:seek("end")
   f:close()
   assert(magic == "FMREQS01", path .. " is not a request file from fleetsim --write-requests")
   local fd = ffi.C.open(path, 0)
   assert(fd >= 0, "cannot open " .. path)
   local p = ffi.C.mmap(nil, size, 1 --[[PROT_READ]], 1 --[[MAP_SHARED]], fd, 0)
   ffi.C.close(fd)
   assert(ffi.cast("intptr_t", p) ~= -1, "cannot map " .. path)
   base = ffi.cast("const char *", p)
   offsets = ffi.cast("const uint64_t *", base + 16)
   local total = tonumber(ffi.cast("const uint64_t *", base + 8)[0])
   assert(first >= 0 and count >= 1 and first + count <= total,
      string.format("requests %d..%d asked, %s holds %d", first, first + count - 1, path, total))
   assert(id < count, "fewer requests than threads")
   first = first + id
   last = first - id + count - 1
   position = first
end

function request()
   if position > last then
      position = first
      wraps = wraps + 1
   end
   local from = tonumber(offsets[position])
   local to = tonumber(offsets[position + 1])
   position = position + stride
   sent = sent + 1
   return ffi.string(base + from, to - from)
end

function done(summary, latency, requests)
   local wrapped, issued = 0, 0
   for _, thread in ipairs(threads) do
      wrapped = wrapped + thread:get("wraps")
      issued = issued + thread:get("sent")
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
      "non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d issued=%d wraps=%d\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout, issued, wrapped))
end
