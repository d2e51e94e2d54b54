import Foundation

/// Whole-file writes that never leave a half-written file behind: the bytes go to a
/// temporary file in the same directory, are flushed, then renamed over the target — a regular
/// file or nothing: a symbolic link, FIFO, device, socket or directory standing there is refused,
/// never followed or replaced (`OutputPath.checkReplaceable`).
/// A missing folder is created one level deep only: the target's grandparent must exist, so a
/// mistyped path never grows a tree (the CLI is stricter still: `OutputPath.checkFile` wants
/// the folder of an `--output` file to exist before the run starts).
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        try OutputPath.checkReplaceable(path, label: "cannot write \(path): it")
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try createDirectory(directory.path)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw InputError("cannot write \(path): folder \(directory.path) is not writable (\(String(cString: strerror(errno))))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw InputError("cannot write \(path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw InputError("cannot write \(path): \(reason)")
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Creates the directory `path` if it does not exist — one level: its parent folder must
    /// already exist (a mistyped `--output-dir /nonexistent/x` is an error, not a new tree).
    public static func createDirectory(_ path: String) throws {
        guard !path.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("cannot create directory \(path): it is a file") }
            return
        }
        try OutputPath.checkFolder(OutputPath.parent(of: path), for: path)
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw InputError("cannot create directory \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Output locations checked before a run computes anything, so a long run cannot fail at
/// its final write: one rule for every `--output` (a file) and `--output-dir` (a folder).
package enum OutputPath {
    /// `--output FILE`: not empty, not a directory, in an existing writable folder. FILE and the
    /// files written next to it (`alsoWrites`: its JSON sidecar, …) are each a regular file or
    /// nothing (`checkReplaceable`), and none is one of the command's `inputs` (what: "the
    /// --spectrum file"), compared as files (device and inode), so no spelling or link hides it.
    package static func checkFile(_ path: String, option: String = "--output", alsoWrites: [String] = [],
                                 inputs: [(what: String, path: String)] = []) throws {
        guard !path.isEmpty else { throw InputError("\(option) is empty: give a file path") }
        if kind(of: path) == "a directory" { throw InputError("\(option) \(path) is a directory, not a file") }
        for target in [path] + alsoWrites {
            let label = target == path ? "\(option) \(path)" : "\(option) \(path): \(target), written next to it,"
            try checkReplaceable(target, label: label)
            for input in inputs where sameFile(target, input.path) {
                throw InputError("\(label) is \(input.what): writing would overwrite it")
            }
        }
        try checkFolder(parent(of: path), for: "\(option) \(path)")
    }

    /// A file about to be written (replaced whole): nothing there, or a regular file. Outputs
    /// never follow or replace a symbolic link, and a FIFO, device, socket or directory is not
    /// a file to write (`specgd theory --output /dev/null` replaced the device node, as root).
    /// `label` starts the one line (`--output PATH`).
    package static func checkReplaceable(_ path: String, label: String) throws {
        switch kind(of: path) {
        case nil: return
        case "a symbolic link"?: throw InputError("\(label) is a symbolic link: outputs never follow or replace symbolic links")
        case let other?: throw InputError("\(label) is \(other), not a regular file")
        }
    }

    /// What stands at `path` (not following a link) when it is not a regular file: "a symbolic
    /// link", "a FIFO", "a character device", …; nil for a regular file or nothing.
    package static func kind(of path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// Whether `a` and `b` are the same existing file or folder (links followed: device and inode).
    package static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// `--output-dir DIR`: not empty; an existing writable directory, or a new one whose
    /// parent folder exists and is writable (the run creates DIR itself, not its parents).
    package static func checkDirectory(_ path: String, option: String = "--output-dir") throws {
        guard !path.isEmpty else { throw InputError("\(option) is empty: give a directory path") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("\(option) \(path) is a file, not a directory") }
            try checkFolder(path, for: "\(option) \(path)")
        } else {
            try checkFolder(parent(of: path), for: "\(option) \(path)")
        }
    }

    /// `folder` exists, is a directory and accepts new files (tried, so that read-only file
    /// systems and permissions are caught alike; works for root too).
    package static func checkFolder(_ folder: String, for what: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw InputError("\(what): folder \(folder) does not exist (create it first)")
        }
        guard isDirectory.boolValue else { throw InputError("\(what): \(folder) is a file, not a folder") }
        let probe = (folder as NSString).appendingPathComponent(".specgd-write-test-\(getpid())")
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return }
            throw InputError("\(what): folder \(folder) is not writable (\(String(cString: strerror(errno))))")
        }
        close(descriptor)
        unlink(probe)
    }

    /// `path` as the file system reaches it: absolute, its longest existing part with every
    /// symbolic link resolved (realpath), the rest normalized by hand (`.` dropped, `..` takes
    /// one component off), so that `a/../b`, a link or a not-yet-created folder cannot hide
    /// where a write lands.
    package static func resolved(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let parts = absolute.split(separator: "/").map(String.init)
        var existing = 0
        var status = stat()
        while existing < parts.count, stat("/" + parts[...existing].joined(separator: "/"), &status) == 0 { existing += 1 }
        var components: [String] = []
        let prefix = "/" + parts[..<existing].joined(separator: "/")
        if let real = realpath(prefix, nil) {
            components = String(cString: real).split(separator: "/").map(String.init)
            free(real)
        }
        for part in parts[existing...] where part != "." {
            if part == ".." { _ = components.popLast() } else { components.append(part) }
        }
        return "/" + components.joined(separator: "/")
    }

    /// Whether `path` is `folder` or lies inside it, both as the file system reaches them.
    package static func isInside(_ path: String, _ folder: String) -> Bool {
        let inner = resolved(path), outer = resolved(folder)
        return inner == outer || inner.hasPrefix(outer == "/" ? "/" : outer + "/")
    }

    /// The folder a path lives in ("." for a bare file name).
    package static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        var parent = trimmed[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }
}
