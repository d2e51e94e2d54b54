import Model
import ArgumentParser
import CSignalRelay
import Foundation
import SpecgdSupport

/// Turns SIGINT and SIGTERM (what a scheduler sends at its time limit) into a cancelled
/// token, so a run stops at its next poll and its rows are written before the process exits.
/// Only the CLI installs handlers: the libraries just poll the token they are handed.
///
/// One process-wide relay (`StopSignals`) receives the signals; every live watcher (`specgd
/// run`'s and its current step's) has its token cancelled by the first. A repeated signal may
/// hurry the exit but never skips the write: before the command has called `rowsWritten()` it
/// only asks to exit as soon as the rows are written (a scheduler's process-group kill, or
/// `timeout` forwarding its own TERM, delivers two at once); after it, it exits at once.
final class SignalWatcher: @unchecked Sendable {
    let token = CancellationToken()
    /// The line printed when the first signal arrives (NAME replaced by the signal).
    let notice: String

    static let handled: [(signal: Int32, name: String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]

    init(notice: String = "specgd: NAME received; stopping after the current step and writing the rows so far") {
        self.notice = notice
        StopSignals.shared.register(self)
    }

    deinit { StopSignals.shared.unregister(self) }

    /// The rows so far are on disk: a signal that came meanwhile exits now, a later one at once.
    func rowsWritten() { StopSignals.shared.rowsWritten(by: self) }

    /// 128 + the signal number: 130 for SIGINT, 143 for SIGTERM (what shells report).
    static func exitStatus(for reason: String?) -> Int32 {
        let signal = handled.first { $0.name == reason }?.signal ?? SIGINT
        return 128 + signal
    }
}

/// The process's SIGINT/SIGTERM relay, installed with the first `SignalWatcher`: a C handler
/// writes the signal number into a pipe (nothing else runs in signal context) and a thread
/// reading it cancels the watchers' tokens. With no watcher alive, a signal exits at once
/// (128 + its number), as the default disposition would.
final class StopSignals: @unchecked Sendable {
    static let shared = StopSignals()

    private let lock = NSLock()
    /// The live watchers, oldest first (weak: a watcher unregisters when it goes away).
    private var entries: [Entry] = []
    private struct Entry { weak var watcher: SignalWatcher? }
    private var watchers: [SignalWatcher] { entries.compactMap(\.watcher) }
    /// The first signal's name, once one arrived.
    private var first: String?
    /// A signal came again before the rows were written: exit as soon as they are.
    private var hurry = false
    private var written = false

    private init() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let reader = fds[0]
        // Without the reading thread a handler would swallow the signals: keep the default
        // disposition (the signal ends the process at once) rather than ignore them.
        do {
            try NativeThread.start(name: "specgd-signals", stackSize: 1 << 20) { [unowned self] in
                var byte: UInt8 = 0
                while true {
                    let count = read(reader, &byte, 1)
                    if count == 1 { self.received(Int32(byte)) } else if count < 0 && errno == EINTR { continue } else { return }
                }
            }
        } catch {
            return
        }
        let signals = SignalWatcher.handled.map(\.signal)
        _ = signals.withUnsafeBufferPointer { specgd_signal_relay_install(fds[1], $0.baseAddress, Int32($0.count)) }
    }

    func register(_ watcher: SignalWatcher) {
        lock.lock(); defer { lock.unlock() }
        entries.append(Entry(watcher: watcher))
        // A watcher made after the first signal (the next step of `specgd run`) starts cancelled.
        if let first { watcher.token.cancel(reason: first) }
    }

    func unregister(_ watcher: SignalWatcher) {
        lock.lock(); defer { lock.unlock() }
        entries.removeAll { $0.watcher == nil || $0.watcher === watcher }
    }

    func rowsWritten(by watcher: SignalWatcher) {
        lock.lock(); defer { lock.unlock() }
        guard first != nil else { return }  // written before any signal: nothing to hurry
        written = true
        if hurry, let first { Self.exit(first) }
    }

    private func received(_ signal: Int32) {
        let name = SignalWatcher.handled.first { $0.signal == signal }?.name ?? "signal \(signal)"
        lock.lock(); defer { lock.unlock() }
        guard !watchers.isEmpty else { _exit(128 + signal) }
        guard let first else {
            self.first = name
            for watcher in watchers { watcher.token.cancel(reason: name) }
            Self.say(watchers.reversed().map { $0.notice.replacingOccurrences(of: "NAME", with: name) })
            return
        }
        if written { Self.exit(first) }
        if !hurry {
            hurry = true
            Self.say(["specgd: \(name) again; exiting as soon as the rows so far are written"])
        }
    }

    private static func say(_ lines: [String]) {
        FileHandle.standardError.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    private static func exit(_ first: String) -> Never { _exit(SignalWatcher.exitStatus(for: first)) }
}

/// What a command does once the outputs of a run that may have stopped early are written.
enum RunEnding {
    /// Completed: nothing. Interrupted: one stderr line and exit 130/143. Diverged: the
    /// one-line divergence error (exit 1) — the rows up to the divergence are already written.
    static func finish(_ outcome: RunOutcome, divergence: DivergenceError?, outputs: String) throws {
        switch outcome.status {
        case .completed:
            return
        case .interrupted:
            FileHandle.standardError.write(Data("specgd: interrupted (\(outcome.detail ?? "signal")) after step \(outcome.lastStep); the rows so far are in \(outputs)\n".utf8))
            throw ExitCode(SignalWatcher.exitStatus(for: outcome.detail))
        case .diverged:
            throw divergence ?? DivergenceError(step: outcome.lastStep, detail: outcome.detail ?? "diverged")
        }
    }
}

extension SpecgdSupport.Progress {
    /// The progress of a `theory`, `simulate` or `compare` run: a bar on a terminal, plain lines
    /// in logs. SPECGD_PROGRESS_SECONDS=S sets both the quiet period and the line interval to S
    /// seconds (a log may want 60; the tests use 0 to see the run start). Steps are timed from
    /// the first one's end (`Rate.afterFirstUnit`): before it come the problem, W₀ and the first
    /// recorded row, a set-up no other step repeats.
    static func forRun(label: String, total: Int, unit: String = "steps", rate: Rate = .afterFirstUnit,
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> SpecgdSupport.Progress {
        SpecgdSupport.Progress(label: label, total: total, unit: unit, mode: .automatic, schedule: runSchedule(environment: environment), rate: rate)
    }

    /// The plain lines' schedule of every long command (`forRun`, `sweep`): the default, or
    /// SPECGD_PROGRESS_SECONDS=S for both the quiet period and the interval.
    static func runSchedule(environment: [String: String] = ProcessInfo.processInfo.environment) -> Schedule {
        var schedule = Schedule()
        if let text = environment["SPECGD_PROGRESS_SECONDS"], let seconds = Double(text), seconds >= 0 {
            schedule.quiet = seconds
            schedule.interval = seconds
        }
        return schedule
    }
}
