// Reference kernels for elementwise ops: unary math, activations, casts, broadcasting binary/variadic ops, where, clip.
#include "compiler/Reference/KernelUtil.h"

#include "compiler/Dialect/Kiln/IR/KilnOps.h"

#include <cstring>

using namespace mlir;
namespace k = mlir::kiln;

namespace kiln::ref {
namespace {

template <typename T> constexpr bool isFp = std::is_floating_point_v<T>;

LogicalResult unsupported(Operation *op, DType d) {
  return op->emitOpError() << "reference kernel does not support element type "
                           << dtypeName(d);
}

/// y = f(x) for the element types `Accepts` admits (a constexpr predicate on DType);
/// others are reported unsupported.
template <typename Accepts, typename F>
LogicalResult unaryMap(Operation *op, Operands in, Results out, F f) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  return dispatch(x.dtype(), [&](auto tag) -> LogicalResult {
    constexpr DType D = decltype(tag)::value;
    if constexpr (Accepts{}(D)) {
      using C = ComputeT<D>;
      for (int64_t i = 0, n = x.numElements(); i < n; ++i)
        store<D>(y, i, static_cast<C>(f(load<D>(x, i))));
      return success();
    } else {
      return unsupported(op, D);
    }
  });
}

struct FloatTypes {
  constexpr bool operator()(DType d) const { return isFloatD(d); }
};
struct NumericTypes {
  constexpr bool operator()(DType d) const { return d != DType::Bool; }
};

/// y = f(x) for float element types only.
template <typename F> LogicalResult unaryFloat(Operation *op, Operands in, Results out, F f) {
  return unaryMap<FloatTypes>(op, in, out, f);
}

/// y = f(x) for every numeric element type (f is instantiated for integers too).
template <typename F> LogicalResult unaryNumeric(Operation *op, Operands in, Results out, F f) {
  return unaryMap<NumericTypes>(op, in, out, f);
}

/// Bool result from a float input.
template <typename F> LogicalResult predicate(Operation *op, Operands in, Results out, F f) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  return dispatch(x.dtype(), [&](auto tag) -> LogicalResult {
    constexpr DType D = decltype(tag)::value;
    if constexpr (isFloatD(D)) {
      for (int64_t i = 0, n = x.numElements(); i < n; ++i)
        y.data<uint8_t>()[i] = f(load<D>(x, i)) ? 1 : 0;
      return success();
    } else {
      return unsupported(op, D);
    }
  });
}

float attrF(APFloat v) { return v.convertToFloat(); }

/// c = f(a, b, err) with broadcasting, a, b and c of one element type; `err` reports an
/// integer division by zero.
template <typename F> LogicalResult binary(Operation *op, Operands in, Results out, F f) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor &c = out[0];
  bool divByZero = false;
  dispatch(a.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    using C = ComputeT<D>;
    forEachBroadcast(c.shape(), {a.shape(), b.shape()}, [&](int64_t e, ArrayRef<int64_t> off) {
      store<D>(c, e, static_cast<C>(f(load<D>(a, off[0]), load<D>(b, off[1]), divByZero)));
    });
  });
  if (divByZero)
    return op->emitOpError() << "integer division by zero";
  return success();
}

template <typename F> LogicalResult compare(Operands in, Results out, F f) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor &c = out[0];
  dispatch(a.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    forEachBroadcast(c.shape(), {a.shape(), b.shape()}, [&](int64_t e, ArrayRef<int64_t> off) {
      c.data<uint8_t>()[e] = f(load<D>(a, off[0]), load<D>(b, off[1])) ? 1 : 0;
    });
  });
  return success();
}

/// Elementwise fold of 1..N broadcast inputs with `f(acc, x)`, then `finish(acc)`.
template <typename F, typename G>
LogicalResult variadic(Operands in, Results out, F f, G finish) {
  Tensor &y = out[0];
  SmallVector<ArrayRef<int64_t>> shapes;
  for (const Tensor *t : in)
    shapes.push_back(t->shape());
  dispatch(y.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    using C = ComputeT<D>;
    forEachBroadcast(y.shape(), shapes, [&](int64_t e, ArrayRef<int64_t> off) {
      C acc = load<D>(*in[0], off[0]);
      for (size_t k = 1; k < in.size(); ++k)
        acc = static_cast<C>(f(acc, load<D>(*in[k], off[k])));
      store<D>(y, e, static_cast<C>(finish(acc)));
    });
  });
  return success();
}

template <typename T> T maxProp(T a, T b) {
  if constexpr (isFp<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return a < b ? b : a;
}
template <typename T> T minProp(T a, T b) {
  if constexpr (isFp<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return b < a ? b : a;
}

/// Integer a^b with wraparound; a negative exponent gives the truncated 1 / a^-b.
template <typename T, typename E> T intPow(T a, E b) {
  if constexpr (std::is_signed_v<E>) {
    if (b < 0) {
      if (a == 1)
        return 1;
      if constexpr (std::is_signed_v<T>)
        if (a == -1)
          return (b % 2) ? T(-1) : T(1);
      return 0;
    }
  }
  T result = 1, base = a;
  uint64_t e = static_cast<uint64_t>(b);
  while (e) {
    if (e & 1)
      result = wrapMul(result, base);
    base = wrapMul(base, base);
    e >>= 1;
  }
  return result;
}

LogicalResult powKernel(Operation *op, Operands in, Results out) {
  const Tensor &a = *in[0], &b = *in[1];
  Tensor &c = out[0];
  dispatch(a.dtype(), [&](auto ta) {
    constexpr DType DA = decltype(ta)::value;
    dispatch(b.dtype(), [&](auto tb) {
      constexpr DType DB = decltype(tb)::value;
      using CA = ComputeT<DA>;
      using CB = ComputeT<DB>;
      forEachBroadcast(c.shape(), {a.shape(), b.shape()}, [&](int64_t e, ArrayRef<int64_t> off) {
        CA x = load<DA>(a, off[0]);
        CB y = load<DB>(b, off[1]);
        if constexpr (!isFp<CA> && !isFp<CB>)
          store<DA>(c, e, intPow(x, y));
        else
          storeDouble<DA>(c, e, std::pow(static_cast<double>(x), static_cast<double>(y)));
      });
    });
  });
  return success();
}

/// One element of Cast: floats go through double (exact) with one rounding at the end;
/// integers convert directly (wrapping, as C and ONNX do).
template <DType S, DType D> void convertAll(const Tensor &x, Tensor &y) {
  int64_t n = x.numElements();
  for (int64_t i = 0; i < n; ++i) {
    auto v = load<S>(x, i);
    if constexpr (isFloatD(S)) {
      storeDouble<D>(y, i, static_cast<double>(v));
    } else if constexpr (D == DType::Bool) {
      y.data<uint8_t>()[i] = v != 0;
    } else if constexpr (D == DType::F16 || D == DType::BF16 || D == DType::F64) {
      storeDouble<D>(y, i, static_cast<double>(v));
    } else {
      // F32 converts directly from the integer (one rounding); integers wrap.
      y.data<StorageT<D>>()[i] = static_cast<StorageT<D>>(v);
    }
  }
}

LogicalResult castKernel(Operation *, Operands in, Results out) {
  const Tensor &x = *in[0];
  Tensor &y = out[0];
  dispatch(x.dtype(), [&](auto ts) {
    dispatch(y.dtype(), [&](auto td) {
      convertAll<decltype(ts)::value, decltype(td)::value>(x, y);
    });
  });
  return success();
}

LogicalResult whereKernel(Operation *, Operands in, Results out) {
  const Tensor &cond = *in[0], &x = *in[1], &yv = *in[2];
  Tensor &r = out[0];
  size_t es = byteSize(r.dtype());
  forEachBroadcast(r.shape(), {cond.shape(), x.shape(), yv.shape()},
                   [&](int64_t e, ArrayRef<int64_t> off) {
                     const Tensor &src = cond.data<uint8_t>()[off[0]] ? x : yv;
                     int64_t o = cond.data<uint8_t>()[off[0]] ? off[1] : off[2];
                     copyBytes(r.bytes() + e * es, src.bytes() + o * es, es);
                   });
  return success();
}

LogicalResult clipKernel(Operation *op, Operands in, Results out) {
  const Tensor &x = *in[0];
  for (int k = 1; k < 3; ++k)
    if (in[k] && in[k]->numElements() != 1)
      return op->emitOpError() << "clip bounds must hold one element";
  Tensor &y = out[0];
  dispatch(x.dtype(), [&](auto tag) {
    constexpr DType D = decltype(tag)::value;
    using C = ComputeT<D>;
    std::optional<C> lo, hi;
    if (in[1])
      lo = load<D>(*in[1], 0);
    if (in[2])
      hi = load<D>(*in[2], 0);
    // numpy.clip order: max with the lower bound first, so min > max gives max; NaN stays.
    for (int64_t i = 0, n = x.numElements(); i < n; ++i) {
      C v = load<D>(x, i);
      if (lo && v < *lo)
        v = *lo;
      if (hi && v > *hi)
        v = *hi;
      store<D>(y, i, v);
    }
  });
  return success();
}

template <typename T> T intDiv(T a, T b, bool &err) {
  if (b == 0) {
    err = true;
    return 0;
  }
  if constexpr (std::is_signed_v<T>)
    if (b == -1)
      return wrapSub(T(0), a); // INT_MIN / -1 wraps instead of trapping
  return static_cast<T>(a / b);
}

/// Integer remainder: with the dividend's sign (C, fmod=1) or the divisor's (fmod=0).
template <typename T> T intMod(T a, T b, bool divisorSign, bool &err) {
  if (b == 0) {
    err = true;
    return 0;
  }
  if constexpr (std::is_signed_v<T>) {
    if (b == -1)
      return 0;
    T r = static_cast<T>(a % b);
    if (divisorSign && r != 0 && ((r < 0) != (b < 0)))
      r = static_cast<T>(r + b);
    return r;
  } else {
    return static_cast<T>(a % b);
  }
}

template <typename T> T floatMod(T a, T b, bool divisorSign) {
  T r = std::fmod(a, b);
  if (divisorSign && r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

} // namespace

#define KERNEL [](Operation * op, Operands in, Results out) -> LogicalResult
#define UNARY_F(name, expr)                                                                   \
  table["kiln." name] = KERNEL {                                                              \
    return unaryFloat(op, in, out, [](auto x) { using C = decltype(x); (void)sizeof(C); return expr; }); \
  }

void registerElementwiseKernels(KernelTable &table) {
  UNARY_F("ceil", std::ceil(x));
  UNARY_F("floor", std::floor(x));
  UNARY_F("round", std::nearbyint(x)); // default rounding mode: half to even
  UNARY_F("sqrt", std::sqrt(x));
  UNARY_F("exp", std::exp(x));
  UNARY_F("log", std::log(x));
  UNARY_F("erf", std::erf(x));
  UNARY_F("tanh", std::tanh(x));
  UNARY_F("sigmoid", C(1) / (C(1) + std::exp(-x)));
  UNARY_F("sin", std::sin(x));
  UNARY_F("cos", std::cos(x));
  UNARY_F("tan", std::tan(x));
  UNARY_F("asin", std::asin(x));
  UNARY_F("acos", std::acos(x));
  UNARY_F("atan", std::atan(x));
  UNARY_F("sinh", std::sinh(x));
  UNARY_F("cosh", std::cosh(x));
  UNARY_F("asinh", std::asinh(x));
  UNARY_F("acosh", std::acosh(x));
  UNARY_F("atanh", std::atanh(x));
  UNARY_F("reciprocal", C(1) / x);
  // log(exp(x) + 1) without overflowing for large x.
  UNARY_F("softplus", x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)));
  UNARY_F("softsign", x / (C(1) + std::fabs(x)));
  UNARY_F("hard_swish", x * std::max(C(0), std::min(C(1), x * C(1.0 / 6.0) + C(0.5))));

  table["kiln.abs"] = KERNEL {
    return unaryNumeric(op, in, out, [](auto x) -> decltype(x) {
      using C = decltype(x);
      if constexpr (isFp<C>)
        return std::fabs(x);
      else if constexpr (std::is_signed_v<C>)
        return x < 0 ? wrapSub(C(0), x) : x;
      else
        return x;
    });
  };
  table["kiln.neg"] = KERNEL {
    return unaryNumeric(op, in, out, [](auto x) -> decltype(x) {
      using C = decltype(x);
      if constexpr (isFp<C>)
        return -x;
      else
        return wrapSub(C(0), x);
    });
  };
  table["kiln.sign"] = KERNEL {
    return unaryNumeric(op, in, out, [](auto x) -> decltype(x) {
      using C = decltype(x);
      if constexpr (isFp<C>)
        if (std::isnan(x))
          return x;
      return x > 0 ? C(1) : x < 0 ? C(-1) : C(0);
    });
  };
  table["kiln.relu"] = KERNEL {
    return unaryNumeric(op, in, out, [](auto x) -> decltype(x) {
      using C = decltype(x);
      return x < 0 ? C(0) : x;
    });
  };
  table["kiln.shrink"] = KERNEL {
    auto s = cast<k::ShrinkOp>(op);
    double bias = attrF(s.getBias()), lambd = attrF(s.getLambd());
    return unaryNumeric(op, in, out, [&](auto x) -> decltype(x) {
      using C = decltype(x);
      if constexpr (isFp<C>) {
        if (x < C(-lambd))
          return x + C(bias);
        if (x > C(lambd))
          return x - C(bias);
        return C(0);
      } else {
        double v = static_cast<double>(x);
        double r = v < -lambd ? v + bias : v > lambd ? v - bias : 0.0;
        return saturatingCast<C>(r);
      }
    });
  };
  table["kiln.leaky_relu"] = KERNEL {
    float alpha = attrF(cast<k::LeakyReluOp>(op).getAlpha());
    return unaryFloat(op, in, out, [&](auto x) { using C = decltype(x); return x >= 0 ? x : C(alpha) * x; });
  };
  table["kiln.elu"] = KERNEL {
    float alpha = attrF(cast<k::EluOp>(op).getAlpha());
    return unaryFloat(op, in, out, [&](auto x) { using C = decltype(x); return x >= 0 ? x : C(alpha) * std::expm1(x); });
  };
  table["kiln.selu"] = KERNEL {
    auto s = cast<k::SeluOp>(op);
    float alpha = attrF(s.getAlpha()), gamma = attrF(s.getGamma());
    return unaryFloat(op, in, out, [&](auto x) {
      using C = decltype(x);
      return x > 0 ? C(gamma) * x : C(gamma) * (C(alpha) * std::expm1(x));
    });
  };
  table["kiln.celu"] = KERNEL {
    float alpha = attrF(cast<k::CeluOp>(op).getAlpha());
    return unaryFloat(op, in, out, [&](auto x) {
      using C = decltype(x);
      return std::max(C(0), x) + std::min(C(0), C(alpha) * std::expm1(x / C(alpha)));
    });
  };
  table["kiln.hard_sigmoid"] = KERNEL {
    auto s = cast<k::HardSigmoidOp>(op);
    float alpha = attrF(s.getAlpha()), beta = attrF(s.getBeta());
    return unaryFloat(op, in, out, [&](auto x) {
      using C = decltype(x);
      return std::max(C(0), std::min(C(1), C(alpha) * x + C(beta)));
    });
  };
  table["kiln.thresholded_relu"] = KERNEL {
    float alpha = attrF(cast<k::ThresholdedReluOp>(op).getAlpha());
    return unaryFloat(op, in, out, [&](auto x) { using C = decltype(x); return x > C(alpha) ? x : C(0); });
  };
  table["kiln.is_nan"] = KERNEL {
    return predicate(op, in, out, [](auto x) { return std::isnan(x); });
  };
  table["kiln.is_inf"] = KERNEL {
    auto s = cast<k::IsInfOp>(op);
    bool neg = s.getDetectNegative() != 0, pos = s.getDetectPositive() != 0;
    return predicate(op, in, out, [&](auto x) {
      return std::isinf(x) && ((x > 0 && pos) || (x < 0 && neg));
    });
  };
  table["kiln.not"] = KERNEL {
    (void)op;
    for (int64_t i = 0, n = in[0]->numElements(); i < n; ++i)
      out[0].data<uint8_t>()[i] = !in[0]->data<uint8_t>()[i];
    return success();
  };
  table["kiln.identity"] = KERNEL {
    (void)op;
    copyBytes(out[0].bytes(), in[0]->bytes(), in[0]->numBytes());
    return success();
  };
  table["kiln.cast"] = castKernel;
  table["kiln.cast_like"] = castKernel; // the target operand only supplies the type
  table["kiln.clip"] = clipKernel;
  table["kiln.where"] = whereKernel;
  table["kiln.pow"] = powKernel;

  table["kiln.add"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a + b; else return wrapAdd(a, b);
    });
  };
  table["kiln.sub"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a - b; else return wrapSub(a, b);
    });
  };
  table["kiln.mul"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a * b; else return wrapMul(a, b);
    });
  };
  table["kiln.div"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &err) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a / b; else return intDiv(a, b, err);
    });
  };
  table["kiln.mod"] = KERNEL {
    bool divisorSign = cast<k::ModOp>(op).getFmod() == 0;
    return binary(op, in, out, [&](auto a, auto b, bool &err) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return floatMod(a, b, divisorSign);
      else return intMod(a, b, divisorSign, err);
    });
  };
  table["kiln.bit_shift"] = KERNEL {
    bool left = cast<k::BitShiftOp>(op).getDirection() == "LEFT";
    return binary(op, in, out, [&](auto a, auto b, bool &) -> decltype(a) {
      using C = decltype(a);
      if constexpr (std::is_unsigned_v<C>) {
        // Shifting by the width or more is undefined in C; every bit is shifted out.
        if (static_cast<uint64_t>(b) >= sizeof(C) * 8)
          return 0;
        return left ? static_cast<C>(WrapT<C>(a) << b) : static_cast<C>(a >> b);
      } else {
        return a;
      }
    });
  };
  table["kiln.and"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) { return (a != 0) && (b != 0); });
  };
  table["kiln.or"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) { return (a != 0) || (b != 0); });
  };
  table["kiln.xor"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) { return (a != 0) != (b != 0); });
  };
  table["kiln.prelu"] = KERNEL {
    return binary(op, in, out, [](auto a, auto b, bool &) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a < 0 ? a * b : a;
      else return a < 0 ? wrapMul(a, b) : a;
    });
  };
  table["kiln.equal"] = KERNEL { (void)op; return compare(in, out, [](auto a, auto b) { return a == b; }); };
  table["kiln.less"] = KERNEL { (void)op; return compare(in, out, [](auto a, auto b) { return a < b; }); };
  table["kiln.less_or_equal"] = KERNEL { (void)op; return compare(in, out, [](auto a, auto b) { return a <= b; }); };
  table["kiln.greater"] = KERNEL { (void)op; return compare(in, out, [](auto a, auto b) { return a > b; }); };
  table["kiln.greater_or_equal"] = KERNEL { (void)op; return compare(in, out, [](auto a, auto b) { return a >= b; }); };

  table["kiln.max"] = KERNEL {
    (void)op;
    return variadic(in, out, [](auto a, auto b) { return maxProp(a, b); }, [](auto a) { return a; });
  };
  table["kiln.min"] = KERNEL {
    (void)op;
    return variadic(in, out, [](auto a, auto b) { return minProp(a, b); }, [](auto a) { return a; });
  };
  table["kiln.sum"] = KERNEL {
    (void)op;
    return variadic(in, out, [](auto a, auto b) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a + b; else return wrapAdd(a, b);
    }, [](auto a) { return a; });
  };
  table["kiln.mean"] = KERNEL {
    (void)op;
    size_t n = in.size();
    return variadic(in, out, [](auto a, auto b) -> decltype(a) {
      if constexpr (isFp<decltype(a)>) return a + b; else return wrapAdd(a, b);
    }, [n](auto a) -> decltype(a) {
      using C = decltype(a);
      if constexpr (isFp<C>) return a / static_cast<C>(n); else return static_cast<C>(a / static_cast<C>(n));
    });
  };
}

} // namespace kiln::ref
