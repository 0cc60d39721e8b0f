/**
 * Binary encoding of application values: {@link dev.ra.codec.Codec} (commands, replies, state for snapshots),
 * bounds-checked {@link dev.ra.codec.BufferReader} and growable {@link dev.ra.codec.BufferWriter}, the built-in
 * codecs ({@link dev.ra.codec.Codecs}) and a generic codec for common Java types. Decoding untrusted bytes fails with
 * {@link dev.ra.codec.CodecException}, never with another exception or an allocation the input does not justify.
 */
package dev.ra.codec;
