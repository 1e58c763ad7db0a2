"""The benchmark: a fake AWS that behaves like AWS (latency, throttling), a generator of
accounts full of the pattern, and the measurements. See bench/README.md."""
