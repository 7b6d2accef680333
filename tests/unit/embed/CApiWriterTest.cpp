// The generated C API's naming rules and hash (tools/common/CApiWriter, Sha256).
#include "tools/common/CApiWriter.h"
#include "tools/common/Sha256.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using kiln::embed::fieldNames;

TEST_CASE("field names: ONNX names become unique C identifiers, documented rules") {
  std::vector<std::string> got =
      fieldNames({"input.1", "1", "class", "x-y", "x_y", "", "__a", "_B", "caf\xc3\xa9", "x_y", "onnx::Flatten_0"});
  std::vector<std::string> want = {"input_1", "_1", "xclass", "x_y", "x_y_2", "_", "x__a", "x_B", "caf__", "x_y_3",
                                    "onnx__Flatten_0"};
  CHECK(got == want);
  // A suffix never collides with a later plain name that looks like it.
  CHECK(fieldNames({"a", "a", "a_2"}) == std::vector<std::string>{"a", "a_2", "a_2_2"});
}

TEST_CASE("model names: C identifiers that are not reserved") {
  std::string why;
  CHECK(kiln::embed::isValidName("ppocr_rec", why));
  CHECK(kiln::embed::isValidName("_m", why));
  CHECK_FALSE(kiln::embed::isValidName("int", why));
  CHECK(why.find("reserved") != std::string::npos);
  CHECK_FALSE(kiln::embed::isValidName("9lives", why));
  CHECK_FALSE(kiln::embed::isValidName("a-b", why));
  CHECK_FALSE(kiln::embed::isValidName("__x", why));
  CHECK_FALSE(kiln::embed::isValidName("kiln_model", why));
  CHECK(kiln::embed::defaultName("/models/ch_PP-OCRv4_rec_infer.onnx") == "ch_PP_OCRv4_rec_infer");
  CHECK(kiln::embed::defaultName("dir/2d.onnx") == "model_2d");
  CHECK(kiln::embed::defaultName("int.onnx") == "model_int");
}

TEST_CASE("sha256: FIPS 180-4 test vectors") {
  CHECK(kiln::embed::sha256Hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(kiln::embed::sha256Hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; // 56 bytes: a second padding block
  CHECK(kiln::embed::sha256Hex(two, 56) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  CHECK(kiln::embed::sha256Hex(million.data(), million.size()) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("generateCApi refuses bad plans and names") {
  kiln::embed::CApiOptions options;
  options.name = "m";
  kiln::embed::CApiFiles files;
  std::string error;
  std::vector<uint8_t> junk(64, 7);
  CHECK_FALSE(kiln::embed::generateCApi(junk, options, files, error));
  CHECK(error.find("the plan is invalid") != std::string::npos);
  options.name = "class";
  CHECK_FALSE(kiln::embed::generateCApi(junk, options, files, error));
  CHECK(error.find("--name") != std::string::npos);
}
