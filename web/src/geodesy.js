// Range and bearing on the WGS-84 ellipsoid (Karney's geodesics, as pyproj and the
// hotline's own detection use), and a straight-line projection for drawing predictions.
import geodesic from "geographiclib-geodesic";

const WGS84 = geodesic.Geodesic.WGS84;
export const M_PER_NM = 1852;

// Distance in NM and initial true bearing in degrees (0-360) from a to b.
export function rangeBearing(a, b) {
  const r = WGS84.Inverse(a.lat, a.lon, b.lat, b.lon);
  return { nm: r.s12 / M_PER_NM, bearing: (r.azi1 + 360) % 360 };
}

// Where a track is after `seconds` flying its ground track and speed along the geodesic:
// what detection predicts (DESIGN.md: state-based, straight and level per step).
export function flyOn(lat, lon, trackDeg, gsKt, seconds) {
  const r = WGS84.Direct(lat, lon, trackDeg, gsKt * M_PER_NM * (seconds / 3600));
  return { lat: r.lat2, lon: r.lon2 };
}
