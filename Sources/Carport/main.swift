import CarportServer

// Swift concurrency runs on the server's event loops: a request handler's task continues on the loop that read the
// request instead of hopping to the cooperative pool and back.
EventLoopExecutor.adopt()
await runCarport()

/// In an async function `main()` resolves to the async entry point (top-level code would pick the synchronous one).
func runCarport() async {
    await CarportCommand.main()
}
