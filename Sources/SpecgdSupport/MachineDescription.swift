import Foundation

/// The `machine` block of every run record: what a result's last bits depend on (processor,
/// BLAS kernel and threads, library versions) and which build of specgd wrote it. Only the
/// values live here; reading them off this process (cpuid, OpenBLAS, GSL, git) is the Machine
/// module's `MachineDescription.current`, so the record layer links nothing numerical.
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

        package init(model: String, vendor: String, family: Int, modelNumber: Int, vectorLevel: String, logicalCores: Int) {
            self.model = model
            self.vendor = vendor
            self.family = family
            self.modelNumber = modelNumber
            self.vectorLevel = vectorLevel
            self.logicalCores = logicalCores
        }
    }

    public struct BLAS: Sendable, Codable, Equatable {
        /// `openblas_get_config()`.
        public var configuration: String
        /// `openblas_get_corename()`: the kernel set that ran.
        public var kernel: String
        /// Who chose it: openblas (its own detection), user (OPENBLAS_CORETYPE) or specgd.
        public var kernelChosenBy: Chooser
        /// `openblas_get_num_threads()` when the record was made.
        public var threads: Int

        /// Who chose the loaded kernel.
        public enum Chooser: String, Sendable, Codable {
            /// OpenBLAS's own detection (no OPENBLAS_CORETYPE).
            case openblas
            /// The user's OPENBLAS_CORETYPE.
            case user
            /// specgd, because OpenBLAS's detection fell back to a slower kernel than the CPU runs.
            case specgd
        }

        package init(configuration: String, kernel: String, kernelChosenBy: Chooser, threads: Int) {
            self.configuration = configuration
            self.kernel = kernel
            self.kernelChosenBy = kernelChosenBy
            self.threads = threads
        }
    }

    /// The git checkout a binary was built in, read when the record is made.
    public struct Build: Sendable, Codable, Equatable {
        public var commit: String
        /// Tracked files differ from `commit`.
        public var dirty: Bool

        package init(commit: String, dirty: Bool) {
            self.commit = commit
            self.dirty = dirty
        }
    }

    public var processor: Processor
    public var blas: BLAS
    public var gsl: String
    public var operatingSystem: String
    public var memoryBytes: UInt64
    /// nil when the binary does not sit inside a specgd checkout (or git is unavailable).
    public var build: Build?

    package init(processor: Processor, blas: BLAS, gsl: String, operatingSystem: String, memoryBytes: UInt64, build: Build?) {
        self.processor = processor
        self.blas = blas
        self.gsl = gsl
        self.operatingSystem = operatingSystem
        self.memoryBytes = memoryBytes
        self.build = build
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
