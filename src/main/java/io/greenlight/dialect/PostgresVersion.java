package io.greenlight.dialect;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PostgreSQL target's major version, from {@code SELECT version()} ("PostgreSQL 15.8 (Debian ...) on ..."). */
public record PostgresVersion(int major, int minor) {

    /** Oldest PostgreSQL accepted as a target: blue/green upgrades go to a maintained release. */
    public static final int MIN_MAJOR = 14;

    private static final Pattern VERSION = Pattern.compile("PostgreSQL (\\d+)(?:\\.(\\d+))?");

    public static PostgresVersion parse(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("Cannot read the target's PostgreSQL version from '" + version + "'");
        }
        return new PostgresVersion(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    public void requireSupported() {
        if (major < MIN_MAJOR) {
            throw new IllegalStateException("The target runs PostgreSQL " + major + "." + minor + "; Greenlight supports "
                    + "PostgreSQL " + MIN_MAJOR + "+ as a target. Upgrade the target (green) cluster.");
        }
    }
}
