package io.greenlight.api;

/** The JSON shape of every error Greenlight answers with. */
public record ErrorBody(String error, String detail) {
}
