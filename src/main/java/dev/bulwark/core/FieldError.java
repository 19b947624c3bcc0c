package dev.bulwark.core;

/** One invalid input field: where, a stable machine code, and a message safe to show. */
public record FieldError(String field, String code, String message) {}
