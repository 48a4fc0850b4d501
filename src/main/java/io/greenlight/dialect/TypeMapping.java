package io.greenlight.dialect;

/**
 * How one source column is stored on the target.
 *
 * @param sqlType the target column type, e.g. {@code DECIMAL(12,2)}
 * @param lossy   true when some source values cannot arrive exactly (or at all): Greenlight refuses
 *                to start unless the column or type is listed in greenlight.types.lossy-accept
 * @param note    limits and conventions an operator should know, empty when there are none
 */
public record TypeMapping(String sqlType, boolean lossy, String note) {

    static TypeMapping exact(String sqlType) {
        return new TypeMapping(sqlType, false, "");
    }

    static TypeMapping exact(String sqlType, String note) {
        return new TypeMapping(sqlType, false, note);
    }

    static TypeMapping lossy(String sqlType, String note) {
        return new TypeMapping(sqlType, true, note);
    }

    TypeMapping withNote(String extra) {
        return new TypeMapping(sqlType, lossy, note.isEmpty() ? extra : note + "; " + extra);
    }
}
