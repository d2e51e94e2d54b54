import Foundation

/// A child process run to completion on the calling thread: posix_spawn, its output read with
/// poll(2), waitpid. No Foundation `Process`: its wait spins a run loop that needs a dispatch
/// thread, and under an address-space cap (`ulimit -v`) libdispatch retries a thread it cannot
/// create forever, so the command hung after its work was done instead of finishing.
package enum Subprocess {
    package struct Output: Sendable {
        /// The exit status (128 + the signal number when a signal ended it).
        package var status: Int32
        package var standardOutput: Data
        package var standardError: Data
        /// A cancellation reached the child while it ran (it was sent SIGTERM).
        package var cancelled: Bool
    }

    /// Runs `executable` with `arguments` (no shell, no PATH search) and the parent's
    /// environment; stdin is /dev/null, stdout and stderr are captured. A cancelled
    /// `cancellation` sends the child SIGTERM (once) and still waits for it, so no child
    /// outlives the command; the caller decides what the cancellation means. Throws when the
    /// child cannot be started (the reason from errno, e.g. an address-space cap).
    package static func run(_ executable: String, _ arguments: [String],
                            cancellation: CancellationToken? = nil) throws -> Output {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw spawnError(executable, errno) }
        guard pipe(&errPipe) == 0 else {
            let code = errno
            close(outPipe[0]); close(outPipe[1])
            throw spawnError(executable, code)
        }
        // Close-on-exec: another thread's child must not inherit our pipes (its own stdout and
        // stderr come from the dup2 below, which clears the flag on the copies).
        for descriptor in outPipe + errPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // The child starts with SIGINT/SIGTERM at their defaults and unblocked, whatever the
        // parent installed (the CLI's relay): a terminated converter must die.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults); sigaddset(&defaults, SIGINT); sigaddset(&defaults, SIGTERM)
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(outPipe[1]); close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw spawnError(executable, spawned)
        }

        var output = Data(), errors = Data()
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var terminated = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while fds.contains(where: { $0.fd >= 0 }) {
            if !terminated, cancellation?.isCancelled == true {
                kill(pid, SIGTERM)
                terminated = true
            }
            // 10 ms: how soon a cancellation reaches the child.
            let ready = poll(&fds, nfds_t(fds.count), 10)
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if index == 0 { output.append(contentsOf: buffer[..<count]) } else { errors.append(contentsOf: buffer[..<count]) }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[index].fd)
                    fds[index].fd = -1
                }
            }
        }
        for descriptor in fds where descriptor.fd >= 0 { close(descriptor.fd) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Output(status: code, standardOutput: output, standardError: errors, cancelled: terminated)
    }

    private static func spawnError(_ executable: String, _ code: Int32) -> InputError {
        InputError("cannot run \(executable): \(String(cString: strerror(code)))")
    }
}

/// A thread of our own: pthread_create with its result checked. Foundation's `Thread.start()`
/// reports nothing when the thread cannot be made (under an address-space cap), so a caller
/// waiting for it hung.
package enum NativeThread {
    /// Starts `body` on a new detached thread named `name` (the kernel's name, at most 15
    /// bytes: top -H, gdb and /proc/PID/task/*/comm show it). Throws when the thread cannot be
    /// created, naming why.
    package static func start(name: String, stackSize: Int = 8 << 20, _ body: @escaping @Sendable () -> Void) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(Body(body, name: name)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            #if os(Linux)
            // Foundation's and glibc's name setters are not importable here; the kernel's file is.
            if let comm = FileHandle(forWritingAtPath: "/proc/thread-self/comm") {
                comm.write(Data(body.name.utf8))
                try? comm.close()
            }
            #endif
            body.run()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            throw ThreadStartError(name: name, code: result)
        }
    }

    private final class Body: @unchecked Sendable {
        let run: @Sendable () -> Void
        let name: String
        init(_ run: @escaping @Sendable () -> Void, name: String) {
            self.run = run
            self.name = String(decoding: Array(name.utf8.prefix(15)), as: UTF8.self)
        }
    }
}

/// A thread that could not be created: one line with the reason and the usual cause.
package struct ThreadStartError: Error, CustomStringConvertible, LocalizedError {
    package var name: String
    package var code: Int32
    package var description: String {
        "cannot start thread \(name): \(String(cString: strerror(code))) (an address-space limit, ulimit -v, or a process limit; use fewer --jobs or raise the limit)"
    }
    package var errorDescription: String? { description }
}
