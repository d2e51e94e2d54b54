import Foundation
import Testing

/// Under an address-space cap (`ulimit -v`, as batch systems set) specgd either runs at its
/// normal speed or refuses in one line saying how far to raise the cap: never the mmap storm
/// OpenBLAS falls into without room for its work buffer (a dense step 80× slower), never a
/// hang on a thread that could not be created (Foundation's Thread and Process waited forever).
/// The caps come from the process's own advice, not from sizes measured on one machine: the
/// first cap is found by raising it until specgd starts at all (the loader needs its share).
@Suite(.serialized) struct AddressSpaceTests {
    /// `specgd ARGUMENTS` under `ulimit -v kilobytes`; killed after 120 s (the storm took 1 s a
    /// step of these runs' 200, a hang forever), which fails the test's status check.
    static func run(capKB: Int, _ arguments: [String]) throws -> SpecgdProcess.Result {
        let quoted = ([SpecgdProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(capKB) && exec \(quoted)"]
        var environment = ProcessInfo.processInfo.environment
        environment["SPECGD_BLAS_NOTICE"] = "0"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: deadline)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        return SpecgdProcess.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                    stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The "raise it to at least N KB" of a refusal.
    static func advisedKB(_ line: String) -> Int? {
        guard let range = line.range(of: "raise it to at least ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func aTightCapIsRefusedWithAdviceThatWorks() throws {
        let out = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        func simulate(jobs: Int, capKB: Int) throws -> SpecgdProcess.Result {
            try Self.run(capKB: capKB, ["simulate", "--dim", "64", "--seeds", "4", "--jobs", "\(jobs)", "--steps", "200",
                                        "--output", out + "/o\(jobs)-\(capKB).csv"])
        }
        // The smallest cap (in 50 MB steps) under which specgd starts and speaks: it must refuse
        // with the buffer line, since a process this small has no 128 MB of room left.
        var refusal: (cap: Int, line: String)?
        for cap in stride(from: 100_000, through: 2_000_000, by: 50_000) {
            let result = try simulate(jobs: 1, capKB: cap)
            let lines = BadInputTests.errorLines(result.stderr)
            if result.status == 0 { break }
            if let line = lines.first, line.contains("OpenBLAS's work buffer") {
                #expect(result.status == 1 && lines.count == 1, "stderr: \(result.stderr)")
                refusal = (cap, line)
                break
            }
        }
        let (cap, line) = try #require(refusal, "no cap between 100 MB and 2 GB gave the refusal")
        #expect(line.hasPrefix("Error: the address-space limit (ulimit -v \(cap) KB) leaves no room"), "\(line)")
        let advised = try #require(Self.advisedKB(line), "\(line)")
        #expect(advised > cap)

        // At the advised cap one job runs, at normal speed (no mmap storm: the whole run takes
        // seconds where the storm took a minute).
        let one = try simulate(jobs: 1, capKB: advised)
        #expect(one.status == 0, "stderr: \(one.stderr)")
        // Two jobs need a second buffer and a stack: refused with their own advice, which works
        // (or, when the cap happens to hold both already, they simply run).
        var two = try simulate(jobs: 2, capKB: advised)
        if two.status != 0 {
            let lines = BadInputTests.errorLines(two.stderr)
            #expect(two.status == 1 && lines.count == 1 && lines[0].contains("2 parallel jobs"), "stderr: \(two.stderr)")
            let advisedTwo = try #require(lines.first.flatMap(Self.advisedKB), "stderr: \(two.stderr)")
            #expect(advisedTwo > advised)
            two = try simulate(jobs: 2, capKB: advisedTwo)
        }
        #expect(two.status == 0, "stderr: \(two.stderr)")
    }
}
