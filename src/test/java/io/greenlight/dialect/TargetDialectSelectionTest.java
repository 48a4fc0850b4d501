package io.greenlight.dialect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** greenlight.target.url picks the dialect; the server's own version string decides whether it is supported. */
class TargetDialectSelectionTest {

    private static final String PG15 = "PostgreSQL 15.14 (Debian 15.14-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc";

    @Test
    void postgresqlUrlsGetThePostgresDialect() {
        assertEquals("postgresql", Dialect.forTarget("jdbc:postgresql://green:5432/shop", PG15, LossyPolicy.none()).name());
        assertEquals("postgresql", Dialect.forTarget("jdbc:postgresql://green/shop",
                "PostgreSQL 14.0 on x86_64-pc-linux-gnu", LossyPolicy.none()).name());
    }

    @Test
    void mysqlAndMariaDbUrlsKeepTheMySqlDialect() {
        assertEquals("mariadb", Dialect.forTarget("jdbc:mariadb://t/shop", "10.11.19-MariaDB-0+deb12u1", LossyPolicy.none()).name());
        assertEquals("mysql", Dialect.forTarget("jdbc:mysql://t/shop", "8.4.3", LossyPolicy.none()).name());
    }

    @Test
    void aPostgresTargetOlderThan14IsRefusedNamingItsVersion() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Dialect.forTarget(
                "jdbc:postgresql://old/shop", "PostgreSQL 13.16 on x86_64-pc-linux-gnu", LossyPolicy.none()));
        assertEquals("The target runs PostgreSQL 13.16; Greenlight supports PostgreSQL 14+ as a target. "
                + "Upgrade the target (green) cluster.", e.getMessage());
    }

    @Test
    void anyOtherUrlIsRefusedListingTheThreeSupportedPrefixes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dialect.forTarget("jdbc:sqlserver://x;databaseName=shop", "16.0", LossyPolicy.none()));
        assertTrue(e.getMessage().endsWith("greenlight.target.url must start with one of jdbc:mysql:, jdbc:mariadb:, "
                + "jdbc:postgresql:"), e.getMessage());
    }

    @Test
    void aPostgresTargetUrlIsUsedAsConfigured() {
        assertEquals("jdbc:postgresql://green:5432/shop?sslmode=require",
                Dialect.connectionUrl("jdbc:postgresql://green:5432/shop?sslmode=require"));
    }
}
