import Foundation

/// How a run ended, in every record the toolkit writes (one vocabulary for all commands).
public enum RunStatus: String, Sendable, Codable, Equatable {
    /// Every requested step was computed.
    case completed
    /// Stopped early on request (SIGINT/SIGTERM in the CLI): the rows so far are kept.
    case interrupted
    /// The state stopped being finite: the rows up to the divergence are kept.
    case diverged
}

/// Where and why a run stopped, as recorded next to its rows.
public struct RunOutcome: Sendable, Codable, Equatable {
    public var status: RunStatus
    /// completed: the last step; interrupted: the last step computed; diverged: the step at
    /// which the state stopped being finite (its row is not in the table).
    public var lastStep: Int
    /// The divergence message, or what interrupted the run (e.g. "SIGTERM").
    public var detail: String?

    public init(status: RunStatus, lastStep: Int, detail: String? = nil) {
        self.status = status
        self.lastStep = lastStep
        self.detail = detail
    }

    public static func completed(_ lastStep: Int) -> RunOutcome { RunOutcome(status: .completed, lastStep: lastStep) }

    /// The outcome of a step loop that ended with `error`: `RunInterrupted` → interrupted,
    /// `DivergenceError` → diverged; anything else is not a way a run ends and is rethrown.
    public init(stoppedBy error: any Error) throws {
        switch error {
        case let stop as RunInterrupted: self.init(status: .interrupted, lastStep: stop.step, detail: stop.reason)
        case let divergence as DivergenceError: self.init(status: .diverged, lastStep: divergence.step, detail: divergence.description)
        default: throw error
        }
    }
}

/// A run's rows and how it ended, for the APIs that keep the rows of a run stopped early.
/// `requireCompleted()` turns an early stop back into the error it was, for callers that
/// only want finished runs.
package protocol StoppableRunResult {
    var outcome: RunOutcome { get }
    /// The divergence that ended the run (nil unless `outcome.status == .diverged`).
    var divergence: DivergenceError? { get }
}

extension StoppableRunResult {
    /// Self when completed; else throws the `DivergenceError` or a `RunInterrupted`.
    package func requireCompleted() throws -> Self {
        switch outcome.status {
        case .completed: return self
        case .diverged: throw divergence ?? DivergenceError(step: outcome.lastStep, detail: outcome.detail ?? "diverged")
        case .interrupted: throw RunInterrupted(step: outcome.lastStep, reason: outcome.detail ?? "cancelled")
        }
    }
}

/// A request to stop a run early, set by whoever owns the run (the CLI's signal handler, a
/// test) and polled by the step loops. Library code never installs handlers or reads global
/// state: a run stops only if it was handed a token that was cancelled.
public final class CancellationToken: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?

    public init() {}

    /// Asks the run to stop at its next poll; the first reason wins.
    public func cancel(reason: String = "cancelled") {
        lock.lock(); defer { lock.unlock() }
        if self.reason == nil { self.reason = reason }
    }

    public var isCancelled: Bool { cancellationReason != nil }

    public var cancellationReason: String? {
        lock.lock(); defer { lock.unlock() }
        return reason
    }

    /// Throws `RunInterrupted` at `step` when cancelled (the loops' one-line poll).
    @inline(__always)
    public func check(step: Int, time: Double? = nil) throws {
        if let reason = cancellationReason { throw RunInterrupted(step: step, time: time, reason: reason) }
    }
}

/// Thrown inside a step loop that saw its token cancelled; `step` is the last step whose
/// state was computed (and recorded, when it was a recorded step). Run APIs catch it and
/// return the rows so far with status `interrupted`.
package struct RunInterrupted: Error, CustomStringConvertible, Equatable {
    package let step: Int
    package let time: Double?
    package let reason: String
    package init(step: Int, time: Double? = nil, reason: String) {
        self.step = step
        self.time = time
        self.reason = reason
    }
    package var description: String { "interrupted (\(reason)) after step \(step)" }
}
