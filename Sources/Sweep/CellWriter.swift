import Model
import Foundation
import SpecgdSupport

/// The single writer of cells.csv. Workers hand it finished lines; one writer thread appends
/// each line with ONE write(2) on an O_APPEND descriptor (so a crash leaves at most one torn
/// final line, never interleaved fragments) and then fsyncs. Lines that arrive while a
/// write/fsync is in progress are written one by one and covered by a single following
/// fsync (group commit): durability per line without paying one fsync per cell.
final class CellWriter: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let condition = NSCondition()
    private var pending: [String] = []
    private var closing = false
    private var finished = false
    private var failure: InputError?
    /// `SweepRunner.stallAfterCells` (a test hook; nil: no effect).
    private let stallAfter: Int?
    private var written = 0

    /// Opens `path` for appending, creating it with `header` when it is new or empty.
    init(path: String, header: String, stallAfter: Int? = nil) throws {
        self.path = path
        self.stallAfter = stallAfter
        // A regular file or nothing: never through a link, never blocking on a FIFO.
        try OutputPath.checkReplaceable(path, label: "cannot write \(path): it")
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            throw InputError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        fd = descriptor
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size == 0 {
            if let error = Self.writeLine(fd, header) ?? Self.sync(fd) {
                close(fd)
                throw InputError("cannot write \(path): \(error)")
            }
        }
        let thread = Thread { [self] in drain() }
        thread.name = "specgd-cells-writer"
        thread.start()
    }

    /// Queues one complete line (thread-safe; returns at once).
    func append(_ line: String) {
        condition.lock()
        pending.append(line)
        condition.signal()
        condition.unlock()
    }

    /// Waits until every queued line is written and synced, closes the file and reports the
    /// first write error, if any.
    func finish() throws {
        condition.lock()
        closing = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        _ = close(fd)
        if let failure { throw failure }
    }

    private func drain() {
        condition.lock()
        while true {
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty && closing { break }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            condition.unlock()
            var error: String?
            for line in batch where error == nil {
                error = Self.writeLine(fd, line)
                written += 1
                if written == stallAfter { _ = Self.sync(fd); while true { sleep(3600) } }
            }
            if error == nil { error = Self.sync(fd) }
            condition.lock()
            if let error, failure == nil { failure = InputError("cannot append to \(path): \(error)") }
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// One write(2) of the whole line; a short write (rare, e.g. a full disk) is finished
    /// with further writes and reported if it cannot be.
    private static func writeLine(_ fd: Int32, _ line: String) -> String? {
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        bytes.removeAll()
        return nil
    }

    private static func sync(_ fd: Int32) -> String? {
        fsync(fd) == 0 ? nil : String(cString: strerror(errno))
    }
}
