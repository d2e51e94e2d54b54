import Foundation
import Testing

/// scripts/slurm/submit without a cluster: what it refuses before creating or queueing
/// anything, and which words reach sbatch and which the sweep. The queueing itself is checked
/// on a real (private, one-node) SLURM by scripts/test-slurm (SPECGD_TEST_SLURM=1).
@Suite struct SlurmSubmitTests {
    static let script = HelpTests.root.appendingPathComponent("scripts/slurm/submit").path

    /// A folder of links to the tools the script uses (never sbatch), plus, when `sbatch` is
    /// set, an sbatch that appends its arguments (one per line, then `--end--`) to `log` and
    /// prints a job id as `sbatch --parsable` does.
    static func toolFolder(sbatchLog log: String? = nil) throws -> String {
        let folder = try SpecgdProcess.temporaryDirectory() + "/bin"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for tool in ["bash", "env", "sed", "dirname", "basename", "mkdir", "cat", "printf", "grep", "mktemp", "rm"] {
            let path = try #require(ExternalTools.onPath(tool), "\(tool) is not on PATH")
            try FileManager.default.createSymbolicLink(atPath: "\(folder)/\(tool)", withDestinationPath: path)
        }
        if let log {
            let fake = "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" --end-- >> '\(log)'\necho \"$((1000 + $(cat '\(log)' | grep -c -- --end--)));cluster\"\n"
            try fake.write(toFile: "\(folder)/sbatch", atomically: true, encoding: .utf8)
            chmod("\(folder)/sbatch", 0o755)
        }
        return folder
    }

    static func submit(_ arguments: [String], path: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try ExternalTools.run(script, arguments, environment: ["PATH": path, "SPECGD": SpecgdProcess.executable.path,
                                                              "SBATCH_OPTIONS": ""])
    }

    private let sweep = ["--grid", "lambda=0,4,8", "--grid", "lr=1e-3,1e-2", "--steps", "50"]

    @Test func helpIsTheUsageNotTheCode() throws {
        let result = try Self.submit(["--help"], path: try Self.toolFolder())
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Submits a sharded specgd sweep to SLURM"))
        #expect(result.stdout.contains("[-- SBATCH OPTIONS] -- SWEEP ARGUMENTS"))
        #expect(!result.stdout.contains("set -euo") && !result.stdout.contains("#"), "\(result.stdout)")
    }

    @Test func withoutSbatchNothingIsCreated() throws {
        let root = try SpecgdProcess.temporaryDirectory() + "/run"
        let result = try Self.submit(["--shards", "2", "--root", root, "--"] + sweep, path: try Self.toolFolder())
        #expect(result.status == 2)
        #expect(result.stderr == "submit: sbatch not found on PATH: run this on a SLURM login node (nothing was created)\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test(arguments: [
        (["--grid", "lamda=0,4"], "submit: Error: grid spec 'lamda=0,4': unknown grid axis 'lamda'"),  // the sweep's own message
        (["--mode", "simulate", "--dim", "16", "--grid", "width=16,8"], "cell 1 (width=8)"),          // a cell the sweep refuses
        (["--grid", "lambda=0,4", "--output-dir", "x"], "--output-dir is set for each array task"),
        (["--grid", "lambda=0,4", "--shard=1/2"], "--shard is set for each array task"),
    ])
    func badSweepArgumentsAreRefusedBeforeQueueing(_ bad: [String], _ message: String) throws {
        let root = try SpecgdProcess.temporaryDirectory() + "/run"
        let log = try SpecgdProcess.temporaryDirectory() + "/sbatch.log"
        let result = try Self.submit(["--shards", "2", "--root", root, "--"] + bad, path: try Self.toolFolder(sbatchLog: log))
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("submit: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root))
        #expect(!FileManager.default.fileExists(atPath: log), "sbatch was called")
    }

    /// Between the two `--`: sbatch's options, for both jobs; after the second: the sweep's,
    /// for the array's tasks only.
    @Test func sbatchOptionsReachSbatchAndSweepArgumentsTheSweep() throws {
        let root = try SpecgdProcess.temporaryDirectory() + "/run"
        let log = try SpecgdProcess.temporaryDirectory() + "/sbatch.log"
        let result = try Self.submit(["--shards", "3", "--root", root, "--cpus", "2", "--", "--partition=short", "--time=01:00:00", "--"] + sweep,
                                     path: try Self.toolFolder(sbatchLog: log))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1001 1002\n")
        #expect(result.stderr.contains("6 cells (lambda 3 × lr 2), theory mode in 3 shards of 2 cells"), "\(result.stderr)")
        let calls = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "--end--\n").dropLast()
            .map { $0.split(separator: "\n").map(String.init) }
        #expect(calls.count == 2)
        let array = try #require(calls.first), merge = try #require(calls.last)
        let sweepScript = try #require(array.firstIndex { $0.hasSuffix("/sweep.sbatch") })
        #expect(Array(array[(sweepScript + 1)...]) == sweep)
        #expect(array[..<sweepScript].contains("--partition=short") && array[..<sweepScript].contains("--time=01:00:00"))
        #expect(array.contains("--array=0-2") && array.contains("--cpus-per-task=2"))
        #expect(merge.contains("--partition=short") && merge.contains("--dependency=afterok:1001"))
        #expect(merge.last?.hasSuffix("/merge.sbatch") == true)
        #expect(FileManager.default.fileExists(atPath: root + "/logs"))
    }

    /// With one `--`, everything after it is the sweep's, as before.
    @Test func oneSeparatorIsAllSweepArguments() throws {
        let root = try SpecgdProcess.temporaryDirectory() + "/run"
        let log = try SpecgdProcess.temporaryDirectory() + "/sbatch.log"
        let result = try Self.submit(["--shards", "2", "--root", root, "--"] + sweep, path: try Self.toolFolder(sbatchLog: log))
        #expect(result.status == 0, "\(result.stderr)")
        let first = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "--end--\n")[0]
            .split(separator: "\n").map(String.init)
        let sweepScript = try #require(first.firstIndex { $0.hasSuffix("/sweep.sbatch") })
        #expect(Array(first[(sweepScript + 1)...]) == sweep)
    }
}
