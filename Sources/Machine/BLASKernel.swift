import CMachine
import CLapacke
import Foundation
import SpecgdSupport

/// The widest vector instructions a kernel set uses (or a CPU offers), in order.
public enum VectorLevel: Int, Sendable, Codable, Comparable, CustomStringConvertible {
    case generic, avx, avx2, avx512

    public static func < (lhs: VectorLevel, rhs: VectorLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .generic: return "SSE only"
        case .avx: return "AVX"
        case .avx2: return "AVX2 + FMA"
        case .avx512: return "AVX-512"
        }
    }
}

/// What the processor can execute (cpuid, counting a feature only when the OS also saves its
/// register state): the facts the kernel choice rests on.
public struct CPUFeatures: Sendable, Codable, Equatable {
    public var vendor: String
    public var brand: String
    public var family: Int
    public var model: Int
    public var avx: Bool
    public var avx2: Bool
    public var fma: Bool
    /// AVX-512 F, DQ, CD, BW and VL together: what OpenBLAS's SkylakeX kernels execute.
    public var avx512: Bool

    public init(vendor: String, brand: String = "", family: Int = 0, model: Int = 0,
                avx: Bool = false, avx2: Bool = false, fma: Bool = false, avx512: Bool = false) {
        self.vendor = vendor
        self.brand = brand
        self.family = family
        self.model = model
        self.avx = avx
        self.avx2 = avx2
        self.fma = fma
        self.avx512 = avx512
    }

    /// This machine's processor.
    public static let current: CPUFeatures = {
        var raw = specgd_cpu_features()
        specgd_cpu_features_read(&raw)
        func text<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return CPUFeatures(
            vendor: text(raw.vendor), brand: text(raw.brand), family: Int(raw.family), model: Int(raw.model),
            avx: raw.avx != 0, avx2: raw.avx2 != 0, fma: raw.fma != 0,
            avx512: raw.avx512f != 0 && raw.avx512dq != 0 && raw.avx512cd != 0 && raw.avx512bw != 0 && raw.avx512vl != 0)
    }()

    /// The widest level every instruction of which this CPU (and OS) executes.
    public var level: VectorLevel {
        if avx512 && avx2 && fma { return .avx512 }
        if avx2 && fma { return .avx2 }
        if avx { return .avx }
        return .generic
    }

    public var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }
}

/// Which OpenBLAS kernel set a run uses. Debian 12's OpenBLAS 0.3.21 (a DYNAMIC_ARCH build)
/// picks its kernels when the library loads; on CPUs newer than it knows it falls back to the
/// generic Prescott (SSE3) kernels, several times slower for dgemm. `OPENBLAS_CORETYPE`,
/// read at load time, selects a kernel explicitly. The choice here never selects a kernel
/// whose instructions the CPU lacks and never overrides a user's setting.
public enum BLASKernel {
    /// The user's own choice, always respected.
    package static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Set by specgd to the core type it chose, so a re-executed process (and any child
    /// process) can tell specgd's choice from the user's and does not announce it again.
    package static let chosenVariable = "SPECGD_BLAS_CORETYPE"
    /// `0` silences the one-line notice (the test harness sets it; the record still says).
    package static let noticeVariable = "SPECGD_BLAS_NOTICE"
    /// For tests of the re-execution path on CPUs OpenBLAS does recognise: `1` makes the
    /// decision treat the loaded core as generic.
    package static let assumeGenericVariable = "SPECGD_BLAS_ASSUME_GENERIC"

    /// The kernel OpenBLAS loaded, as `openblas_get_corename()` reports it ("SkylakeX", "Prescott", …).
    public static var loadedCore: String { String(cString: openblas_get_corename()) }
    /// OpenBLAS's build string ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH … SkylakeX MAX_THREADS=64").
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The vector level of an OpenBLAS 0.3.21 core name (its `corename` table; case-insensitive).
    public static func level(ofCore name: String) -> VectorLevel {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen", "excavator": return .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller": return .avx
        default: return .generic
        }
    }

    /// The best `OPENBLAS_CORETYPE` for a CPU: SkylakeX for AVX-512, Haswell (Zen on AMD) for
    /// AVX2 + FMA, Sandybridge for AVX; nil when only the generic kernels fit.
    public static func bestCoreType(for cpu: CPUFeatures) -> String? {
        switch cpu.level {
        case .avx512: return "SkylakeX"
        case .avx2: return cpu.isAMD ? "Zen" : "Haswell"
        case .avx: return "Sandybridge"
        case .generic: return nil
        }
    }

    /// Who chose the loaded kernel (the record's `kernelChosenBy`).
    public typealias Chooser = MachineDescription.BLAS.Chooser

    package static func chooser(environment: [String: String]) -> Chooser {
        guard let set = environment[coreTypeVariable], !set.isEmpty else { return .openblas }
        return environment[chosenVariable] == set ? .specgd : .user
    }

    /// What to do at process start.
    public enum Decision: Equatable, Sendable {
        /// Run with the kernel that is loaded.
        case keep
        /// Re-execute with `OPENBLAS_CORETYPE = coreType`; `reason` is the one-line notice.
        case switchTo(coreType: String, reason: String)
    }

    /// Switch only when nobody chose a kernel yet (no OPENBLAS_CORETYPE, not already
    /// re-executed) and the loaded core is below what the CPU executes.
    package static func decide(loadedCore: String, environment: [String: String], cpu: CPUFeatures) -> Decision {
        guard environment[coreTypeVariable].map({ $0.isEmpty }) ?? true, environment[chosenVariable] == nil,
              let best = bestCoreType(for: cpu) else { return .keep }
        let assumeGeneric = environment[assumeGenericVariable] == "1"
        let loadedLevel = assumeGeneric ? .generic : level(ofCore: loadedCore)
        guard level(ofCore: best) > loadedLevel else { return .keep }
        let name = cpu.brand.isEmpty ? cpu.vendor : cpu.brand
        let loaded = assumeGeneric ? "\(loadedCore) (taken as generic: \(assumeGenericVariable)=1)" : loadedCore
        let reason = "specgd: OpenBLAS loaded its \(loaded) kernels (\(loadedLevel)) on \(name), which executes \(cpu.level); "
            + "using OPENBLAS_CORETYPE=\(best) for this run (set OPENBLAS_CORETYPE yourself to choose another)"
        return .switchTo(coreType: best, reason: reason)
    }

    /// At process start, before any BLAS call: when `decide` says so, re-executes this
    /// program with the better kernel (OpenBLAS reads OPENBLAS_CORETYPE only when it loads, so
    /// the process must start again). Returns only when the loaded kernel stays, or when
    /// re-execution failed (then with a notice, running on the loaded kernel).
    package static func reexecuteWithBestKernel() {
        let environment = ProcessInfo.processInfo.environment
        guard case .switchTo(let coreType, let reason) = decide(
            loadedCore: loadedCore, environment: environment, cpu: .current) else { return }
        if environment[noticeVariable] != "0" { FileHandle.standardError.write(Data((reason + "\n").utf8)) }
        setenv(coreTypeVariable, coreType, 1)
        setenv(chosenVariable, coreType, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: undo, so the record tells the truth.
        unsetenv(coreTypeVariable)
        unsetenv(chosenVariable)
        FileHandle.standardError.write(Data("specgd: could not restart with OPENBLAS_CORETYPE=\(coreType) (\(String(cString: strerror(errno)))); running on \(loadedCore)\n".utf8))
    }
}
