import Testing
@testable import CarportCore

@Suite struct GroupCommitTests {
    /// Records each batch it writes; the first write waits until released, so later submissions pile up behind it.
    actor Recorder {
        private(set) var batches: [[Int]] = []
        private var gate: CheckedContinuation<Void, Never>?
        private var released = false

        func record(_ batch: [Int]) async {
            batches.append(batch)
            if batches.count == 1 && !released { await withCheckedContinuation { gate = $0 } }
        }

        func release() {
            released = true
            gate?.resume()
            gate = nil
        }
    }

    @Test func submissionsArrivingDuringAWriteAreWrittenTogetherInOrder() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(maxBatch: 3) { inputs in
            await recorder.record(inputs)
            return inputs.map { $0 * 10 }
        }
        let first = Task { try await commit.submit(0) }
        while await recorder.batches.isEmpty { await Task.yield() }
        let others = (1...5).map { value in Task { try await commit.submit(value) } }
        // Every submission reaches the queue before the first write finishes.
        while await commit.waiting < 5 { await Task.yield() }
        await recorder.release()
        #expect(try await first.value == 0)
        var answers: [Int] = []
        for task in others { answers.append(try await task.value) }
        #expect(answers == [10, 20, 30, 40, 50], "each submission gets its own answer")
        let batches = await recorder.batches
        #expect(batches.first == [0])
        #expect(batches.dropFirst().map(\.count) == [3, 2], "the five waiting submissions go in batches of at most 3")
        #expect(batches.dropFirst().flatMap { $0 }.sorted() == [1, 2, 3, 4, 5])
    }

    @Test func aFailedWriteFailsItsWholeBatchButNotTheNext() async throws {
        struct WriteFailed: Error {}
        let commit = GroupCommit<Int, Int>(maxBatch: 10) { inputs in
            if inputs.contains(13) { throw WriteFailed() }
            return inputs
        }
        await #expect(throws: WriteFailed.self) { try await commit.submit(13) }
        #expect(try await commit.submit(7) == 7, "the queue goes on after a failure")
    }
}
