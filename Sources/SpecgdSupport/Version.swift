/// The toolkit's version, recorded in every output it writes.
public enum SpecgdVersion {
    public static let string = "0.1.0"
}
