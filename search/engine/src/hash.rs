//! A stable content hash for file names and ids (not cryptographic).

/// FNV-1a, two lanes: stable content ids (not cryptographic).
pub(crate) struct Hasher(u64, u64);

impl Hasher {
    pub(crate) fn new() -> Hasher {
        Hasher(0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142)
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            self.1 = (self.1 ^ u64::from(b))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    }
    pub(crate) fn finish128(&self) -> u128 {
        (u128::from(self.0) << 64) | u128::from(self.1)
    }
}
