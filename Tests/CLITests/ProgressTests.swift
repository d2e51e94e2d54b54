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

    @Test func offPrintsNothing() {
        let recorder = Recorder()
        let p = progress(recorder, total: 10, mode: .off)
        for k in 1...10 { recorder.time = Double(k) * 100; p.advance() }
        p.finish()
        #expect(recorder.output.isEmpty)
    }
}
