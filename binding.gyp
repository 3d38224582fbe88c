{
  "targets": [
    {
      "target_name": "floatip",
      "sources": [
        "native/addon.cc",
        "native/child_spawn.cc",
        "native/system_error.cc",
        "native/netns.cc",
        "native/vrrp_socket.cc",
        "native/packet_socket.cc",
        "native/netlink_socket.cc",
        "native/channel.cc",
        "native/io_loop.cc",
        "native/io_loop_wrap.cc",
        "native/socket_wraps.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": [
        "NAPI_VERSION=8",
        "FLOATIP_SOURCE_HASH=\"<!(node native/source-hash.cjs)\""
      ],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
