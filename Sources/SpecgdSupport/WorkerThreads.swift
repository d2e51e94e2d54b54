import Foundation

/// Exactly `workers` threads (not a pool capped at the core count, so `--jobs` means what it
/// says, e.g. under a SLURM allocation) taking items in order; the first error stops handing
/// out new items and is rethrown once all threads are done. A thread that cannot be started
/// (`NativeThread`) is that error: the command says so in one line instead of waiting forever.
package enum WorkerThreads {
    /// Calls `body` once per item; returns how many calls completed without throwing. Every
    /// worker of specgd's (a seed's dense run, a sweep's cells) calls BLAS, so room for a stack
    /// and OpenBLAS's work buffer per worker is checked before any starts (`AddressSpace`).
    @discardableResult
    package static func forEach<Item: Sendable>(_ items: [Item], workers: Int, name: String,
                                               _ body: @escaping @Sendable (Item) throws -> Void) throws -> Int {
        let count = max(1, min(workers, items.count))
        if count > 1 {
            try AddressSpace.checkRoom(count * (AddressSpace.workBufferBytes + AddressSpace.threadStackBytes),
                                       for: "\(count) parallel jobs", detail: "a stack and a BLAS work buffer each",
                                       alternative: "use fewer jobs")
        }
        let queue = Queue(items)
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            do {
                try NativeThread.start(name: "\(name)-\(index)", stackSize: AddressSpace.threadStackBytes) {
                    defer { group.leave() }
                    while let item = queue.next() {
                        do {
                            try body(item)
                            queue.completed()
                        } catch {
                            queue.fail(error)
                        }
                    }
                }
            } catch {
                // No thread, no leave from it: the ones already running finish their item and stop.
                group.leave()
                queue.fail(error)
                break
            }
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
