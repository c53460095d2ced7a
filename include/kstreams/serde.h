// File: kstreams/serde.h
//
// `Serde<T>`: turns a `T` into Kafka bytes and back. Any type with
//
//   kstreams::Status serialize(const T& value, kstreams::Bytes& out) const;   // out starts empty
//   kstreams::Result<T> deserialize(kstreams::ByteView bytes) const;
//
// satisfies `SerdeFor<S, T>` and converts to `Serde<T>`. Optional members:
//   `bool is_null(const T&) const` (the value is written as a Kafka null),
//   `Result<T> deserialize_null() const` (what a Kafka null reads as; default: an error),
//   `std::string name() const` (for messages and `describe()`),
//   `static constexpr bool kRoundTrips = true` (for a serde type without data members:
//     serializing what `deserialize` read gives bytes that read back as the same value, and
//     `is_null` is false for it; a sink may then write a value that no operator replaced as
//     the very bytes a source read it from, see StreamsConfig::sink_forwards_source_bytes),
//   `Status deserialize_into(ByteView bytes, T& out) const` (reads into an existing value and
//     reuses its storage: a source node keeps one value per input topic and parses every record
//     into it, so a protobuf message or a string allocates only while it grows; `out` may hold
//     anything on entry, and need not be meaningful after an error).
//
// Default serdes are found at compile time (ADR 0003). Resolution order:
//   1. a serde passed explicitly in `Consumed`, `Produced`, ... ;
//   2. `kstreams_default_serde(kstreams::SerdeTag<T>)`, found by argument-dependent lookup in
//      namespace kstreams (built-ins, <kstreams/serdes.h>) or in T's own namespace (user types);
//   3. otherwise a compile error that names T.
//
// Malformed bytes are never a crash: `deserialize` returns a `kSerialization` error.
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <kstreams/bytes.h>
#include <kstreams/status.h>

namespace kstreams {

/// Tag type for default-serde lookup. Being a kstreams template, it makes ADL search namespace
/// kstreams as well as T's namespace.
template <class T>
struct SerdeTag {};

namespace internal {
/// The two member functions of a serde for `T` (the first half of `SerdeFor`).
template <class S, class T>
concept HasSerdeMembers = requires(const S& serde, const T& value, Bytes& out, ByteView in) {
  { serde.serialize(value, out) } -> std::same_as<Status>;
  { serde.deserialize(in) } -> std::same_as<Result<T>>;
};
}  // namespace internal

/// `S` can serialize and deserialize `T`.
///
/// The member checks come before `copy_constructible` on purpose: a serde that holds a `Serde<U>`
/// and has a constructor from it (`OptionalSerde`, a user's list serde) would otherwise make
/// `copy_constructible<S>` ask whether `S` converts to `Serde<U>`, which asks `SerdeFor<S, U>`
/// again ("satisfaction of atomic constraint depends on itself" with g++ 12).
template <class S, class T>
concept SerdeFor = internal::HasSerdeMembers<S, T> && std::copy_constructible<S>;

/// A type-erased, cheaply copyable serde for `T`. A default-constructed `Serde` is empty
/// (`valid() == false`); the topology builder rejects empty serdes with an error naming the node.
///
/// Thread-safe: the wrapped serde is only called through const members and is shared by copies.
template <class T>
class Serde {
 public:
  Serde() = default;

  template <class S>
  requires SerdeFor<S, T> &&(!std::same_as<std::remove_cvref_t<S>, Serde>)
      Serde(S serde)  // NOLINT(google-explicit-constructor): a serde converts to Serde<T>.
      : impl_(std::make_shared<const Model<S>>(std::move(serde))) {}

  [[nodiscard]] bool valid() const { return impl_ != nullptr; }
  /// A short name, e.g. "string" or "int64".
  [[nodiscard]] std::string name() const { return impl_ ? impl_->name() : std::string("<none>"); }

  /// Equal (and not null) for two serdes of one type without data members that declares
  /// `kRoundTrips`: bytes one of them read may be written as they are by the other. Null for any
  /// other serde.
  [[nodiscard]] const void* round_trip_key() const {
    return impl_ ? impl_->round_trip_key() : nullptr;
  }

  /// Writes `value` into `out`; `out` becomes null when the serde says `value` is null.
  Status serialize(const T& value, NullableBytes& out) const {
    if (impl_->is_null(value)) {
      out.reset();
      return {};
    }
    if (out) {
      out->clear();
    } else {
      out.emplace();
    }
    return impl_->serialize(value, *out);
  }
  /// Serializes a non-null value into fresh bytes. Convenience for tests and tools.
  Result<Bytes> to_bytes(const T& value) const {
    Bytes out;
    KSTREAMS_RETURN_IF_ERROR(impl_->serialize(value, out));
    return out;
  }

  /// Reads a `T` from bytes, or from a Kafka null.
  Result<T> deserialize(NullableByteView bytes) const {
    if (!bytes) return impl_->deserialize_null();
    return impl_->deserialize(*bytes);
  }

  /// Reads a `T` from bytes, or from a Kafka null, into `out`, reusing its storage where the
  /// wrapped serde can (its `deserialize_into`); otherwise assigns a freshly read value.
  Status deserialize_into(NullableByteView bytes,
                          T& out) const requires std::is_move_assignable_v<T> {
    if (bytes) return impl_->deserialize_into(*bytes, out);
    Result<T> value = impl_->deserialize_null();
    if (!value.ok()) return value.status();
    out = std::move(value).value();
    return {};
  }

 private:
  struct Concept {
    Concept() = default;
    Concept(const Concept&) = delete;
    Concept& operator=(const Concept&) = delete;
    virtual ~Concept() = default;
    virtual Status serialize(const T& value, Bytes& out) const = 0;
    virtual Result<T> deserialize(ByteView bytes) const = 0;
    virtual Status deserialize_into(ByteView bytes, T& out) const = 0;
    virtual bool is_null(const T& value) const = 0;
    virtual Result<T> deserialize_null() const = 0;
    virtual std::string name() const = 0;
    virtual const void* round_trip_key() const = 0;
  };

  template <class S>
  struct Model final : Concept {
    explicit Model(S s) : serde(std::move(s)) {}
    Status serialize(const T& value, Bytes& out) const override {
      return serde.serialize(value, out);
    }
    Result<T> deserialize(ByteView bytes) const override { return serde.deserialize(bytes); }
    Status deserialize_into(ByteView bytes, T& out) const override {
      if constexpr (requires {
                      { serde.deserialize_into(bytes, out) } -> std::same_as<Status>;
                    }) {
        return serde.deserialize_into(bytes, out);
      } else if constexpr (std::is_move_assignable_v<T>) {
        Result<T> value = serde.deserialize(bytes);
        if (!value.ok()) return value.status();
        out = std::move(value).value();
        return {};
      } else {
        return Status(StatusCode::kIllegalState,
                      "deserialize_into: the value type is not assignable");
      }
    }
    bool is_null(const T& value) const override {
      if constexpr (requires { serde.is_null(value); }) {
        return serde.is_null(value);
      } else {
        return false;
      }
    }
    Result<T> deserialize_null() const override {
      if constexpr (requires { serde.deserialize_null(); }) {
        return serde.deserialize_null();
      } else {
        return serialization_error("null bytes for non-nullable type (serde " + name() +
                                   "); use std::optional<T> to accept nulls");
      }
    }
    const void* round_trip_key() const override {
      if constexpr (std::is_empty_v<S> && requires { S::kRoundTrips; }) {
        if constexpr (S::kRoundTrips) {
          // One per serde type; writable, so no identical-data folding merges two types' keys.
          static char key = 0;
          return &key;
        }
      }
      return nullptr;
    }
    std::string name() const override {
      if constexpr (requires { serde.name(); }) {
        return std::string(serde.name());
      } else {
        return "custom";
      }
    }
    S serde;
  };

  std::shared_ptr<const Concept> impl_;
};

/// True when a default serde for `T` is visible: built-in, protobuf (opt-in header), reflected
/// struct (opt-in header) or a user-provided `kstreams_default_serde(SerdeTag<T>)`.
template <class T>
concept HasDefaultSerde = requires {
  kstreams_default_serde(SerdeTag<T>{});
};

namespace internal {
template <class T>
inline constexpr bool kDependentFalse = false;
}  // namespace internal

/// The default serde for `T`. A compile error naming `T` when there is none.
template <class T>
Serde<T> default_serde() {
  if constexpr (HasDefaultSerde<T>) {
    return Serde<T>(kstreams_default_serde(SerdeTag<T>{}));
  } else {
    static_assert(internal::kDependentFalse<T>,
                  "kstreams: no default Serde for this type (see 'T = ...' in the note below). "
                  "Include <kstreams/serde/protobuf.h> for protobuf messages, use "
                  "KSTREAMS_REFLECT_SERDE for Boost.Hana structs, define "
                  "kstreams_default_serde(kstreams::SerdeTag<T>) in T's namespace, or pass a "
                  "serde explicitly (Consumed/Produced::with).");
    return {};
  }
}

/// Wraps a serde for `T` so that `std::optional<T>` reads and writes Kafka nulls as nullopt.
template <class T>
class OptionalSerde {
 public:
  explicit OptionalSerde(Serde<T> inner) : inner_(std::move(inner)) {}
  Status serialize(const std::optional<T>& value, Bytes& out) const {
    NullableBytes bytes;
    KSTREAMS_RETURN_IF_ERROR(inner_.serialize(*value, bytes));
    if (bytes) out = std::move(*bytes);
    return {};
  }
  Result<std::optional<T>> deserialize(ByteView bytes) const {
    Result<T> value = inner_.deserialize(bytes);
    if (!value.ok()) return value.status();
    return std::optional<T>(std::move(value).value());
  }
  Status deserialize_into(ByteView bytes, std::optional<T>& out)
      const requires std::is_move_assignable_v<T> && std::default_initializable<T> {
    if (!out) out.emplace();
    return inner_.deserialize_into(bytes, *out);
  }
  bool is_null(const std::optional<T>& value) const { return !value.has_value(); }
  Result<std::optional<T>> deserialize_null() const { return std::optional<T>(); }
  std::string name() const { return "optional<" + inner_.name() + ">"; }

 private:
  Serde<T> inner_;
};

template <class T>
requires HasDefaultSerde<T> OptionalSerde<T> kstreams_default_serde(SerdeTag<std::optional<T>>) {
  return OptionalSerde<T>(default_serde<T>());
}

}  // namespace kstreams
