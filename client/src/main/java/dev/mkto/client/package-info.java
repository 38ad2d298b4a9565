/**
 * mkto-client: a Java SDK for Marketo's REST API that gets authentication and limits right.
 *
 * <p>Start with {@link dev.mkto.client.MarketoClient}. Everything else in this package is a value
 * it returns ({@link dev.mkto.client.ApiResult}, {@link dev.mkto.client.Diagnosis}, the records of the
 * typed calls) or a setting it takes ({@link dev.mkto.client.Endpoint}, {@link dev.mkto.client.Limits}).
 * Types are non-null unless annotated otherwise; lookups that can miss return {@code Optional}.
 */
@NullMarked
package dev.mkto.client;

import org.jspecify.annotations.NullMarked;
