/// Group commit: submissions that arrive while a batch is being written wait and are written together as the next
/// batch, so a burst of small writes pays for one statement and one commit instead of one each. A lone submission
/// runs at once; nothing is delayed to fill a batch.
public actor GroupCommit<Input: Sendable, Output: Sendable> {
    /// Writes a batch; answers one result per input, in order. A thrown error fails the whole batch.
    public typealias Write = @Sendable ([Input]) async throws -> [Output]

    private let maxBatch: Int
    private let write: Write
    private var pending: [(input: Input, continuation: CheckedContinuation<Output, any Error>)] = []
    private var writing = false

    public init(maxBatch: Int, write: @escaping Write) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.write = write
    }

    /// Submissions queued for the next batch (not counting the batch being written).
    public var waiting: Int { pending.count }

    public func submit(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((input, continuation))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending.prefix(maxBatch)
            pending.removeFirst(batch.count)
            do {
                let outputs = try await write(batch.map(\.input))
                precondition(outputs.count == batch.count, "a group-commit write must answer every input")
                for (job, output) in zip(batch, outputs) { job.continuation.resume(returning: output) }
            } catch {
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
        writing = false
    }
}
