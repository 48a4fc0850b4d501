package io.greenlight.dialect;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target server's product and version, from {@code SELECT version()}: where MySQL 8 and
 * MariaDB accept different SQL, the dialect asks this.
 */
public record MySqlServer(boolean mariaDb, int major, int minor, int patch) {

    private static final Pattern VERSION = Pattern.compile("(?:5\\.5\\.5-)?(\\d+)\\.(\\d+)\\.(\\d+)");

    public static final MySqlServer MARIADB_10_11 = new MySqlServer(true, 10, 11, 0);
    public static final MySqlServer MYSQL_8_0 = new MySqlServer(false, 8, 0, 19);

    public static MySqlServer parse(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("Cannot read the target's version from '" + version + "'");
        }
        return new MySqlServer(version.toLowerCase().contains("mariadb"), Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** MySQL 8.0.19+ deprecates VALUES(col) in ON DUPLICATE KEY UPDATE in favour of a row alias; MariaDB lacks the alias. */
    public boolean rowAlias() {
        return !mariaDb && (major > 8 || major == 8 && (minor > 0 || patch >= 19));
    }

    /** MySQL compares a JSON column with a string as a JSON string scalar; MariaDB's JSON is text. */
    public boolean jsonIsBinary() {
        return !mariaDb;
    }

    /**
     * A binary NO PAD collation: text compares by code point with trailing spaces significant, as
     * PostgreSQL compares text and varchar ('abc' and 'abc ' or 'Key' and 'key' are two keys).
     * MariaDB's utf8mb4_bin and MySQL's utf8mb4_bin are PAD SPACE, which would make them one.
     */
    public String noPadBinaryCollation() {
        return mariaDb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin";
    }

    public void requireSupported() {
        boolean ok = mariaDb ? major > 10 || major == 10 && minor >= 11 : major >= 8;
        if (!ok) {
            throw new IllegalStateException("The target runs " + (mariaDb ? "MariaDB " : "MySQL ") + major + "." + minor
                    + "; Greenlight supports MySQL 8.0+ and MariaDB 10.11+. Upgrade the target.");
        }
    }
}
