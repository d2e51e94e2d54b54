import Foundation

/// Progress of a long run, on stderr, in one of two forms:
/// - on a terminal, a bar redrawn at most ten times a second, cleared by `finish()`;
/// - elsewhere (SLURM, nohup, CI logs), nothing for the first `schedule.quiet` seconds, then
///   one plain line every `schedule.interval` seconds (done/total, rate, ETA), so short runs
///   keep logs clean and long ones still say where they are.
/// In both forms, once a couple of units have been timed, a run projected to take longer than
/// `schedule.estimateAbove` seconds says so once, up front ("estimated 5:33:20 for …").
///
/// ETAs come from a work model, not from the unit count: units of unequal cost (figures, cells
/// of a grid over steps or d) each advance by their `work` against `totalWork`, and a run whose
/// first unit carries a set-up the others do not (the problem, W₀, the first recorded row;
/// `Rate.afterFirstUnit`) is timed from the end of that unit, so a dense run's first estimate is
/// not its set-up multiplied by the step count.
///
/// A unit that takes long (a sweep cell of 10⁹ steps) moves the progress from inside through a
/// `part(units:work:)`: its steps advance the parent's work, not its unit count, so the bar, the
/// lines and the estimate move while it runs.
///
/// The clock and the output are injectable, so the schedule is tested without sleeping.
public final class Progress: @unchecked Sendable {
    public enum Mode: Sendable {
        /// A redrawn bar (stderr is a terminal).
        case terminal
        /// Plain newline-terminated lines (stderr is a file or a pipe).
        case lines
        /// Nothing at all.
        case off
    }

    /// When the plain lines and the estimate appear (seconds).
    public struct Schedule: Sendable, Equatable {
        /// No plain line before this much time has passed: short runs print nothing.
        public var quiet: Double = 15
        /// Seconds between two plain lines.
        public var interval: Double = 20
        /// Runs projected to take longer than this get a one-time estimate.
        var estimateAbove: Double = 180

        public init(quiet: Double = 15, interval: Double = 20, estimateAbove: Double = 180) {
            self.quiet = quiet
            self.interval = interval
            self.estimateAbove = estimateAbove
        }
    }

    /// Where the work rate behind the ETA is measured from.
    public enum Rate: Sendable {
        /// From the start: every unit's time is work (figures, sweep cells).
        case fromStart
        /// From the end of the first unit, once a second one is done: the time before it is a
        /// one-off set-up (theory, simulate, compare), not a sample of the units' cost.
        case afterFirstUnit
    }

    private let label: String
    private let unit: String
    private let total: Int
    private let mode: Mode
    private let schedule: Schedule
    private let clock: @Sendable () -> Double
    private let write: @Sendable (String) -> Void
    private let start: Double
    private let lock = NSLock()
    private let totalWork: Double
    private let rateFrom: Rate
    private var done = 0
    private var work = 0.0
    /// Time, units and work at the end of the first advance (`Rate.afterFirstUnit`).
    private var first: (time: Double, done: Int, work: Double)?
    private var lastDraw = -Double.infinity
    private var nextLine: Double
    private var estimated = false
    private var printedLines = false
    /// Appended to the one-time estimate: what the user can change to shorten the run (the
    /// CLI's words, e.g. "lower --steps"), so a run that would take days says how not to.
    public var estimateHint: String?
    /// A `part`'s parent and the work each of its units is worth there (nil: a top-level progress).
    private var parent: (progress: Progress, workPerUnit: Double, cap: Double)?
    private var credited = 0.0

    /// `clock` returns seconds on any monotonic scale; `write` receives every piece of output.
    /// `totalWork` is the work of all `total` units in any unit of cost (default: one per unit);
    /// `rate` says where the ETA's work rate is measured from.
    public init(label: String, total: Int, unit: String = "", mode: Mode, schedule: Schedule = Schedule(),
                totalWork: Double? = nil, rate: Rate = .fromStart,
                clock: @escaping @Sendable () -> Double = Progress.monotonicSeconds,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.unit = unit.isEmpty ? "" : " " + unit
        self.total = max(total, 1)
        self.totalWork = totalWork.map { $0 > 0 && $0.isFinite ? $0 : Double(max(total, 1)) } ?? Double(max(total, 1))
        self.rateFrom = rate
        self.mode = mode
        self.schedule = schedule
        self.clock = clock
        self.write = write
        start = clock()
        nextLine = start + schedule.quiet
    }

    @Sendable public static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// A progress for the inside of one long unit of this one: its `units` (steps, say) credit
    /// `work` in all to this progress's work as they advance, never more (a unit whose inner
    /// count was underestimated stalls at its share), without counting as units done. When the
    /// unit ends, `advance(by:work:)` it with the part's `remainingWork`. Prints nothing itself.
    public func part(units: Int, work: Double) -> Progress {
        let part = Progress(label: label, total: units, mode: .off, totalWork: Double(max(units, 1)), clock: clock, write: { _ in })
        part.parent = (self, work / Double(max(units, 1)), work)
        return part
    }

    /// The work of the unit a `part` stands for that it has not credited yet.
    public var remainingWork: Double {
        lock.lock(); defer { lock.unlock() }
        return max((parent?.cap ?? 0) - credited, 0)
    }

    /// Work done inside a unit that is not finished (a `part`'s steps): moves the ETA, not the count.
    private func credit(work: Double) {
        lock.lock(); defer { lock.unlock() }
        self.work += work
        report(force: false)
    }

    /// Marks `count` more units done, of `work` (default: their share of `totalWork` at the
    /// average cost of a unit); thread-safe.
    public func advance(by count: Int = 1, work: Double? = nil) {
        if let parent {
            lock.lock()
            let share = min(Double(count) * parent.workPerUnit, max(parent.cap - credited, 0))
            credited += share
            lock.unlock()
            if share > 0 { parent.progress.credit(work: share) }
            return
        }
        lock.lock(); defer { lock.unlock() }
        done += count
        self.work += work ?? Double(count) * totalWork / Double(total)
        if first == nil { first = (clock(), done, self.work) }
        report(force: done >= total)
    }

    /// Sets the absolute number of units done (at the average cost of a unit).
    public func update(_ completed: Int) {
        lock.lock(); defer { lock.unlock() }
        done = completed
        work = Double(completed) * totalWork / Double(total)
        if first == nil { first = (clock(), done, work) }
        report(force: false)
    }

    /// Seconds to go and seconds per unit, from the work rate since the start or (after the
    /// first unit, `Rate.afterFirstUnit`) since the first unit was done.
    private func projection(now: Double) -> (remaining: Double, perUnit: Double) {
        var (t0, n0, w0) = (start, 0, 0.0)
        if rateFrom == .afterFirstUnit, let first, done > first.done, now > first.time { (t0, n0, w0) = first }
        let seconds = max(now - t0, 1e-9)
        let workRate = (work - w0) / seconds
        let remaining = workRate > 0 ? max(totalWork - work, 0) / workRate : .infinity
        // No unit finished yet (one long unit credited through a part): an average unit at the work rate.
        if done == n0 { return (remaining, workRate > 0 ? totalWork / Double(total) / workRate : .infinity) }
        return (remaining, seconds / Double(max(done - n0, 1)))
    }

    /// Clears the bar; in line mode, a closing line if any progress line was printed.
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        switch mode {
        case .terminal: write("\r\u{1B}[K")
        case .lines where printedLines:
            write("\(label): \(done)/\(total)\(unit) done in \(Progress.clock(clock() - start))\n")
        case .lines, .off: break
        }
    }

    private func report(force: Bool) {
        guard mode != .off else { return }
        let now = clock()
        let elapsed = now - start
        let rate = Double(done) / max(elapsed, 1e-9)
        let (remaining, perUnit) = projection(now: now)
        // Timed from the first unit's end, the estimate waits for a unit after it.
        let timed = rateFrom == .fromStart || (first.map { done > $0.done } ?? false)
        // A unit in progress that has credited work (`part`) is timed too: a first cell of
        // days says so after seconds, not when it ends.
        let inside = rateFrom == .fromStart && work > 0 && elapsed >= 5
        if !estimated, timed || inside, done >= 2 || (done >= 1 && elapsed >= 5) || inside {
            estimated = true
            let projected = elapsed + remaining
            if projected > schedule.estimateAbove && done < total {
                // "steps" → "per step"; no unit → "per unit".
                let one = unit.isEmpty ? "unit" : String(unit.dropFirst().dropLast(unit.hasSuffix("s") ? 1 : 0))
                let hint = estimateHint.map { "; \($0)" } ?? ""
                write("\(label): estimated \(Progress.clock(projected)) for \(total)\(unit) (\(Progress.duration(perUnit)) per \(one) after \(done))\(hint)\n")
            }
        }
        switch mode {
        case .terminal:
            guard force || now - lastDraw > 0.1 else { return }
            lastDraw = now
            // By work: units of unequal cost, and a long unit's part, move the bar as they go.
            let fraction = min(max(work / totalWork, 0), 1)
            let width = 24
            let filled = min(width, Int(fraction * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            write("\r\(label) [\(bar)] \(done)/\(total)  \(String(format: "%.1f", rate))/s  ETA \(Progress.clock(remaining))\u{1B}[K")
        case .lines:
            guard now >= nextLine, done < total else { return }
            // Next line one interval from now, not from the schedule: a slow unit never causes a burst.
            nextLine = now + schedule.interval
            printedLines = true
            // Counts as Swift integers (a %d would print 10¹² steps as a negative 32-bit number);
            // the percentage by work, as the bar.
            write("\(label): \(done)/\(total)\(unit) (\(String(format: "%.1f", 100 * min(work / totalWork, 1)))%), "
                  + "\(Progress.rate(rate))/s, ETA \(Progress.clock(remaining))\n")
        case .off:
            break
        }
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        // Past 10⁹ hours (a sweep of 10¹² steps a cell can project that far) Int would overflow.
        guard seconds < 3.6e12 else { return "over 10⁹ hours" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600):" + String(format: "%02ld:%02ld", s / 60 % 60, s % 60)
                         : String(format: "%02ld:%02ld", s / 60, s % 60)
    }

    static func duration(_ seconds: Double) -> String {
        seconds >= 1 ? String(format: "%.3g s", seconds) : String(format: "%.3g ms", seconds * 1e3)
    }

    static func rate(_ perSecond: Double) -> String { String(format: "%.3g", perSecond) }
}
