import Foundation
import Testing
import SpecgdSupport

/// A fake clock and an output sink, so the progress schedule is tested without sleeping.
private final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0.0
    private var pieces: [String] = []
    var time: Double {
        get { lock.lock(); defer { lock.unlock() }; return now }
        set { lock.lock(); now = newValue; lock.unlock() }
    }
    var output: [String] { lock.lock(); defer { lock.unlock() }; return pieces }
    func write(_ s: String) { lock.lock(); pieces.append(s); lock.unlock() }
}

@Suite struct ProgressTests {
    private func progress(_ recorder: Recorder, total: Int, mode: SpecgdSupport.Progress.Mode = .lines) -> SpecgdSupport.Progress {
        SpecgdSupport.Progress(label: "simulate", total: total, unit: "steps", mode: mode, clock: { recorder.time }, write: { recorder.write($0) })
    }

    /// Off a terminal: silent for the first 15 s, then one plain line per interval.
    @Test func plainLinesAfterTheQuietPeriod() {
        let recorder = Recorder()
        let p = progress(recorder, total: 1000)
        for k in 1...100 { recorder.time = Double(k) * 0.1; p.advance() }  // 10 s: short runs stay silent
        #expect(recorder.output.isEmpty)
        for k in 101...400 { recorder.time = Double(k) * 0.1; p.advance() }  // up to 40 s
        let lines = recorder.output
        #expect(lines.count == 2, "at 15 s and 35 s: \(lines)")
        #expect(lines.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") && !$0.contains("\u{1B}") })
        #expect(lines[0] == "simulate: 150/1000 steps (15.0%), 10/s, ETA 01:25\n", "\(lines[0])")
        p.finish()
        #expect(recorder.output.last == "simulate: 400/1000 steps done in 00:40\n")
    }

    /// A run projected to take hours says so once, after timing a couple of steps.
    @Test func longRunsPrintAnEstimateUpFront() {
        let recorder = Recorder()
        let p = progress(recorder, total: 10_000, mode: .terminal)
        recorder.time = 2; p.advance()
        #expect(recorder.output.filter { $0.contains("estimated") }.isEmpty, "one step is not enough to time")
        recorder.time = 4; p.advance()
        let estimates = recorder.output.filter { $0.contains("estimated") }
        #expect(estimates == ["simulate: estimated 5:33:20 for 10000 steps (2 s per step after 2)\n"], "\(recorder.output)")
        recorder.time = 6; p.advance()
        #expect(recorder.output.filter { $0.contains("estimated") }.count == 1)
        // A short run gets no estimate.
        let quick = Recorder()
        let q = progress(quick, total: 100)
        for k in 1...100 { quick.time = Double(k) * 0.01; q.advance() }
        #expect(quick.output.isEmpty)
    }

    /// A run whose first step carries a set-up (the problem, W₀, the first recorded row) is
    /// timed from that step's end: the estimate is the steps' cost, not the set-up multiplied.
    @Test func theSetUpIsNotExtrapolated() {
        let recorder = Recorder()
        let p = SpecgdSupport.Progress(label: "simulate", total: 1000, unit: "steps", mode: .terminal, rate: .afterFirstUnit,
                                       clock: { recorder.time }, write: { recorder.write($0) })
        recorder.time = 60; p.advance()     // 60 s of set-up, then step 1
        recorder.time = 61; p.advance()     // 1 s per step from here
        // 61 s so far and 998 steps at 1 s: 1059 s = 17:39 (counting from the start it would be 8:28:20).
        #expect(recorder.output.filter { $0.contains("estimated") } == ["simulate: estimated 17:39 for 1000 steps (1 s per step after 2)\n"],
                "\(recorder.output)")
        recorder.time = 62; p.advance()
        #expect(recorder.output.last?.contains("ETA 16:37") == true, "998 s to go: \(String(describing: recorder.output.last))")
        // Timed from the start (the default), the same clock says 16:40:00 after the first step.
        let plain = Recorder()
        let q = SpecgdSupport.Progress(label: "simulate", total: 1000, unit: "steps", mode: .terminal,
                                       clock: { plain.time }, write: { plain.write($0) })
        plain.time = 60; q.advance()
        #expect(plain.output.filter { $0.contains("estimated") } == ["simulate: estimated 16:40:00 for 1000 steps (60 s per step after 1)\n"],
                "\(plain.output)")
    }

    /// Units of unequal cost (figures, cells): the ETA is the work left at the work rate so far.
    @Test func etasFollowTheWorkModel() {
        let recorder = Recorder()
        // Five figures: two cheap ones (1 each), then 100, 10 and 1.
        let p = SpecgdSupport.Progress(label: "figures", total: 5, mode: .terminal, totalWork: 113,
                                       clock: { recorder.time }, write: { recorder.write($0) })
        recorder.time = 2; p.advance(work: 1)
        recorder.time = 4; p.advance(work: 1)
        // 2 work in 4 s: 111 to go at 0.5/s is 222 s; by count it would have been 6 s.
        #expect(recorder.output.filter { $0.contains("estimated") } == ["figures: estimated 03:46 for 5 (2 s per unit after 2)\n"],
                "\(recorder.output)")
        #expect(recorder.output.last?.contains("ETA 03:42") == true, "\(String(describing: recorder.output.last))")
        recorder.time = 204; p.advance(work: 100)
        // 102 work in 204 s: 11 to go is 22 s.
        #expect(recorder.output.last?.contains("3/5") == true && recorder.output.last?.contains("ETA 00:22") == true,
                "\(String(describing: recorder.output.last))")
        // advance() without a work takes the average share: 113/5 per unit.
        let even = Recorder()
        let q = SpecgdSupport.Progress(label: "x", total: 4, mode: .terminal, totalWork: 8, clock: { even.time }, write: { even.write($0) })
        even.time = 10; q.advance()
        #expect(even.output.last?.contains("ETA 00:30") == true, "\(String(describing: even.output.last))")
    }

    @Test func offPrintsNothing() {
        let recorder = Recorder()
        let p = progress(recorder, total: 10, mode: .off)
        for k in 1...10 { recorder.time = Double(k) * 100; p.advance() }
        p.finish()
        #expect(recorder.output.isEmpty)
    }

    /// A long unit (a sweep cell of 10⁹ steps) moves the progress from inside through a part:
    /// its steps credit the unit's work, never more than it; the unit count waits for the unit's
    /// end; the lines' percentage and the ETA follow the work; the estimate comes after 5 s
    /// inside the first unit (timed by its work) and carries the caller's hint.
    @Test func aLongUnitMovesTheProgressFromInside() {
        let recorder = Recorder()
        let p = SpecgdSupport.Progress(label: "sweep", total: 4, unit: "cells", mode: .lines, schedule: .init(quiet: 0, interval: 10),
                                       totalWork: 4000, clock: { recorder.time }, write: { recorder.write($0) })
        p.estimateHint = "lower --steps"
        let part = p.part(units: 1000, work: 1000)  // one work per step of the cell
        recorder.time = 10; part.advance(by: 100)
        // 100 of 4000 in 10 s: 390 s to go; an average cell (1000) is 100 s at that rate.
        #expect(recorder.output == ["sweep: estimated 06:40 for 4 cells (100 s per cell after 0); lower --steps\n",
                                    "sweep: 0/4 cells (2.5%), 0/s, ETA 06:30\n"], "\(recorder.output)")
        recorder.time = 20; part.advance(by: 5000)  // more steps than counted: capped at the cell's 1000
        #expect(recorder.output.last == "sweep: 0/4 cells (25.0%), 0/s, ETA 01:00\n", "\(recorder.output)")
        #expect(part.remainingWork == 0)
        recorder.time = 30; p.advance(by: 1, work: part.remainingWork)
        #expect(recorder.output.last == "sweep: 1/4 cells (25.0%), 0.0333/s, ETA 01:30\n", "\(recorder.output)")
        #expect(recorder.output.count == 4, "a part writes nothing itself; no second estimate")
    }

    /// Counts past 2³¹ print as they are (a %d printed 10¹² steps as a negative number) and an
    /// ETA past 10⁹ hours says so instead of overflowing.
    @Test func hugeCountsAndEtas() {
        let recorder = Recorder()
        let p = SpecgdSupport.Progress(label: "theory", total: 4_000_000_000_000, unit: "steps", mode: .lines,
                                       schedule: .init(quiet: 0, interval: 0), clock: { recorder.time }, write: { recorder.write($0) })
        recorder.time = 1; p.advance()
        #expect(recorder.output == ["theory: 1/4000000000000 steps (0.0%), 1/s, ETA over 10⁹ hours\n"], "\(recorder.output)")
    }
}
