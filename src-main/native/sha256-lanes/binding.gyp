{
  "targets": [
    {
      "target_name": "sha256_lanes",
      "sources": ["sha256_lanes.c"],
      "cflags": ["-O3"]
    }
  ]
}
