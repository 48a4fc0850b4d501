package io.greenlight.schema;

/** Debezium's change operations, with the label used in metrics and /status. */
public enum ChangeOp {
    CREATE("c", "create"),
    UPDATE("u", "update"),
    DELETE("d", "delete"),
    READ("r", "read"),
    TRUNCATE("t", "truncate"),
    MESSAGE("m", "message");

    private final String code;
    private final String label;

    ChangeOp(String code, String label) {
        this.code = code;
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Create, update and snapshot read all leave the row as the event's "after" image. */
    public boolean writesRow() {
        return this == CREATE || this == UPDATE || this == READ;
    }

    public static ChangeOp of(String code) {
        for (ChangeOp op : values()) {
            if (op.code.equals(code)) {
                return op;
            }
        }
        throw new IllegalArgumentException("Unknown Debezium op '" + code + "'");
    }
}
