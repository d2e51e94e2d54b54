import Model
import ArgumentParser
import Dispatch
import Foundation
import SpecgdSupport

/// Turns SIGINT and SIGTERM (what a scheduler sends at its time limit) into a cancelled
/// token, so a run stops at its next poll and its rows are written before the process exits.
/// Only the CLI installs handlers: the libraries just poll the token they are handed.
///
/// The signals are ignored at the C level and delivered through dispatch sources on a
/// background queue (the run occupies the main thread), so nothing runs in signal context and
/// a signal arriving while the outputs are written cannot cut them short. A second signal
/// exits at once with the same status, for a user who does not want to wait.
final class SignalWatcher {
    let token = CancellationToken()
    private let sources: [any DispatchSourceSignal]

    static let handled: [(signal: Int32, name: String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]

    /// `notice` is the line printed when the first signal arrives (NAME replaced by the signal).
    init(notice: String = "specgd: NAME received; stopping after the current step and writing the rows so far") {
        let token = self.token
        sources = Self.handled.map { signal, name in
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                if token.isCancelled { _exit(128 + signal) }
                token.cancel(reason: name)
                FileHandle.standardError.write(Data((notice.replacingOccurrences(of: "NAME", with: name) + "\n").utf8))
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// 128 + the signal number: 130 for SIGINT, 143 for SIGTERM (what shells report).
    static func exitStatus(for reason: String?) -> Int32 {
        let signal = handled.first { $0.name == reason }?.signal ?? SIGINT
        return 128 + signal
    }
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
    /// seconds (a log may want 60; the tests use 0 to see the run start).
    static func forRun(label: String, total: Int, unit: String = "steps",
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> SpecgdSupport.Progress {
        var schedule = Schedule()
        if let text = environment["SPECGD_PROGRESS_SECONDS"], let seconds = Double(text), seconds >= 0 {
            schedule.quiet = seconds
            schedule.interval = seconds
        }
        return SpecgdSupport.Progress(label: label, total: total, unit: unit, mode: .automatic, schedule: schedule)
    }
}
