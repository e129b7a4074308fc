// The floor's MAIN-world script: injected where SocketScope's hook is, and does nothing.
