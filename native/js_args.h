// Reading typed options and arguments from JavaScript values, with TypeErrors that name the
// option. Nothing else.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace floatip {

inline Napi::Object RequireObject(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsObject()) throw Napi::TypeError::New(env, std::string(what) + " must be an object");
  return v.As<Napi::Object>();
}

inline std::string OptionalString(Napi::Object o, const char* key, const std::string& fallback = "") {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

inline bool OptionalBool(Napi::Object o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

inline double NumberArg(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(what) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline double OptionalNumber(Napi::Object o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return NumberArg(o.Env(), v, key);
}

inline uint32_t Uint32Arg(Napi::Env env, Napi::Value v, const char* what) {
  double d = NumberArg(env, v, what);
  if (d < 0 || d > 4294967295.0 || d != static_cast<double>(static_cast<uint32_t>(d))) {
    throw Napi::RangeError::New(env, std::string(what) + " must be an integer 0..2^32-1");
  }
  return static_cast<uint32_t>(d);
}

inline int64_t Int64Arg(Napi::Env env, Napi::Value v, const char* what) {
  double d = NumberArg(env, v, what);
  if (d < -9007199254740991.0 || d > 9007199254740991.0) {
    throw Napi::RangeError::New(env, std::string(what) + " is out of range");
  }
  return static_cast<int64_t>(d);
}

// A Uint8Array (Buffer included) viewed without copying.
inline Napi::Uint8Array BytesArg(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, std::string(what) + " must be a Uint8Array or Buffer");
  }
  return v.As<Napi::Uint8Array>();
}

inline std::vector<uint8_t> CopyBytes(Napi::Uint8Array a) {
  return std::vector<uint8_t>(a.Data(), a.Data() + a.ByteLength());
}

}  // namespace floatip
