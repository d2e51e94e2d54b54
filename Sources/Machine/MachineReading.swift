import CGSL
import CLapacke
import Foundation
import SpecgdSupport

// Reading this process's machine block: cpuid (CMachine), OpenBLAS (CLapacke), GSL and the git
// checkout the binary sits in. Kept out of SpecgdSupport so the record layer — and Plot and
// PlotRecipes above it — link no numerical library.
extension MachineDescription {
    /// This process's machine (BLAS threads read now; everything else fixed for the process).
    public static var current: MachineDescription {
        var description = fixed
        description.blas.threads = Int(openblas_get_num_threads())
        return description
    }

    private static let fixed: MachineDescription = {
        let cpu = CPUFeatures.current
        let info = ProcessInfo.processInfo
        return MachineDescription(
            processor: Processor(model: cpu.brand, vendor: cpu.vendor, family: cpu.family, modelNumber: cpu.model,
                                 vectorLevel: cpu.level.description, logicalCores: info.processorCount),
            blas: BLAS(configuration: BLASKernel.configuration, kernel: BLASKernel.loadedCore,
                       kernelChosenBy: BLASKernel.chooser(environment: info.environment), threads: 0),
            gsl: String(cString: specgd_gsl_version()),
            operatingSystem: info.operatingSystemVersionString,
            memoryBytes: info.physicalMemory,
            build: checkoutBuild())
    }()

    /// The commit of the specgd checkout that holds this executable (binaries live in
    /// `<checkout>/.build/<config>/`), or nil. Run-time, not build-time: a binary not rebuilt
    /// after a checkout change reports the new commit, and `dirty` then says so only if
    /// tracked files differ.
    private static func checkoutBuild() -> Build? {
        guard let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? Bundle.main.executablePath else { return nil }
        var directory = URL(fileURLWithPath: executable)
        for _ in 0..<8 {
            directory.deleteLastPathComponent()
            let manifest = directory.appendingPathComponent("Package.swift").path
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path),
                  let text = try? String(contentsOfFile: manifest, encoding: .utf8),
                  text.contains("name: \"specgd\"") else { continue }
            guard let commit = git(["rev-parse", "HEAD"], in: directory.path), commit.count == 40 else { return nil }
            let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory.path)
            return Build(commit: commit, dirty: !(status ?? "").isEmpty)
        }
        return nil
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        guard let result = try? Subprocess.run("/usr/bin/env", ["git", "-C", directory] + arguments),
              result.status == 0 else { return nil }
        return String(decoding: result.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension RunRecord {
    /// A record of this process's machine (`MachineDescription.current`): what every command writes.
    public init(kind: String, configuration: Configuration, summary: Summary, outcome: RunOutcome? = nil,
                command: [String], replayOf: ReplaySource? = nil, convertedFigures: [String] = []) {
        self.init(kind: kind, configuration: configuration, summary: summary, outcome: outcome, command: command,
                  replayOf: replayOf, convertedFigures: convertedFigures, machine: .current)
    }
}
