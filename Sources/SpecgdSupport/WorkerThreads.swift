import Foundation

/// Exactly `workers` threads (not a pool capped at the core count, so `--jobs` means what it
/// says, e.g. under a SLURM allocation) taking items in order; the first error stops handing
/// out new items and is rethrown once all threads are done.
package enum WorkerThreads {
    /// Calls `body` once per item; returns how many calls completed without throwing.
    @discardableResult
    package static func forEach<Item: Sendable>(_ items: [Item], workers: Int, name: String,
                                               _ body: @escaping @Sendable (Item) throws -> Void) throws -> Int {
        let queue = Queue(items)
        let group = DispatchGroup()
        for index in 0..<max(1, min(workers, items.count)) {
            group.enter()
            let threadName = "\(name)-\(index)"
            let thread = Thread {
                defer { group.leave() }
                #if os(Linux)
                // The kernel's name of the thread (Foundation's `name` does not reliably reach it):
                // top -H, gdb and /proc/PID/task/*/comm tell the workers apart (at most 15 bytes).
                if let comm = FileHandle(forWritingAtPath: "/proc/thread-self/comm") {
                    comm.write(Data(threadName.utf8.prefix(15)))
                    try? comm.close()
                }
                #endif
                while let item = queue.next() {
                    do {
                        try body(item)
                        queue.completed()
                    } catch {
                        queue.fail(error)
                    }
                }
            }
            thread.name = threadName
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let failure = queue.failure { throw failure }
        return queue.completedCount
    }

    private final class Queue<Item>: @unchecked Sendable {
        private let lock = NSLock()
        private let items: [Item]
        private var position = 0
        private(set) var completedCount = 0
        private(set) var failure: Error?

        init(_ items: [Item]) { self.items = items }

        func next() -> Item? {
            lock.lock(); defer { lock.unlock() }
            guard failure == nil, position < items.count else { return nil }
            position += 1
            return items[position - 1]
        }

        func completed() {
            lock.lock(); defer { lock.unlock() }
            completedCount += 1
        }

        func fail(_ error: Error) {
            lock.lock(); defer { lock.unlock() }
            if failure == nil { failure = error }
        }
    }
}
