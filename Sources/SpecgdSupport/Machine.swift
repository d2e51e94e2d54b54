import CGSL
import CLapacke
import Foundation

/// The `machine` block of every run record: what a result's last bits depend on (processor,
/// BLAS kernel and threads, library versions) and which build of specgd wrote it.
public struct MachineDescription: Sendable, Codable, Equatable {
    public struct Processor: Sendable, Codable, Equatable {
        /// The brand string ("Intel(R) Xeon(R) Processor"); virtual machines often hide the exact model.
        public var model: String
        public var vendor: String
        /// cpuid's display family and model numbers: they name the generation when the brand does not.
        public var family: Int
        public var modelNumber: Int
        /// The widest vector instructions the CPU and OS execute.
        public var vectorLevel: String
        public var logicalCores: Int
    }

    public struct BLAS: Sendable, Codable, Equatable {
        /// `openblas_get_config()`.
        public var configuration: String
        /// `openblas_get_corename()`: the kernel set that ran.
        public var kernel: String
        /// Who chose it: openblas (its own detection), user (OPENBLAS_CORETYPE) or specgd.
        public var kernelChosenBy: BLASKernel.Chooser
        /// `openblas_get_num_threads()` when the record was made.
        public var threads: Int
    }

    /// The git checkout a binary was built in, read when the record is made.
    public struct Build: Sendable, Codable, Equatable {
        public var commit: String
        /// Tracked files differ from `commit`.
        public var dirty: Bool
    }

    public var processor: Processor
    public var blas: BLAS
    public var gsl: String
    public var operatingSystem: String
    public var memoryBytes: UInt64
    /// nil when the binary does not sit inside a specgd checkout (or git is unavailable).
    public var build: Build?

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The human-readable lines of `specgd info`.
    public var summaryLines: [String] {
        let gib = Double(memoryBytes) / 1_073_741_824
        let build = self.build.map { "commit \($0.commit.prefix(12))\($0.dirty ? " (with uncommitted changes)" : "")" }
            ?? "not built from a git checkout"
        return [
            "specgd \(SpecgdVersion.string), \(build)",
            "CPU:    \(processor.model) (\(processor.vendor), family \(processor.family) model \(processor.modelNumber)), "
                + "\(processor.logicalCores) logical cores, executes \(processor.vectorLevel)",
            "BLAS:   \(blas.configuration)",
            "        kernel \(blas.kernel) (chosen by \(blas.kernelChosenBy.rawValue)), \(blas.threads) thread\(blas.threads == 1 ? "" : "s")",
            "GSL:    \(gsl)",
            "OS:     \(operatingSystem), memory \(String(format: "%.1f", gib)) GiB",
        ]
    }
}
