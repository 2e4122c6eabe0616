-- wrk script: print one machine-readable line at the end of a run.
-- Durations and latencies are in microseconds; bytes count every body byte
-- read, including responses still incomplete when the run ended.
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"BENCHJSON {\"requests\":%d,\"bytes\":%d,\"duration_us\":%d," ..
		"\"err_connect\":%d,\"err_read\":%d,\"err_write\":%d," ..
		"\"err_status\":%d,\"err_timeout\":%d," ..
		"\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d}\n",
		summary.requests, summary.bytes, summary.duration,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max))
end
