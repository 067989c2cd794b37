"""Split one usage row into weighted parts that add up exactly (largest remainder, vectorised).

An aggregated report row (a day of one key's traffic) may be shared out across several attempts.
Each part gets ``value * weight / total`` rounded *down* in the column's smallest unit (one token,
or 1e-12 of a currency unit for money), and the units left over go one each to the parts with the
largest remainders (ties to the lower part number). The parts of a row therefore sum to the row
exactly, in integers and in Decimal, which is what keeps attributed + unattributed = total.

Written against Narwhals (either engine). The wide integers are ``Int128`` on polars and
``Decimal(38, 0)`` on Spark (``frames.wide_int``), and the floor division is the engine's own
exact integer division (``frames.floor_div``): nothing here goes through a float or a rounding
Decimal division.
"""

from __future__ import annotations

from decimal import Decimal

import narwhals as nw

from . import frames
from .frames import Frame

_SCALE = 10**12
"""Units per currency unit at ``MONEY``'s 12 decimal places."""
_UNIT = nw.lit(Decimal(1) / _SCALE, nw.Decimal(13, 12))
"""One unit, typed tight so that units x unit is exact on Spark too (precision 38 + 13 + 1 is
bounded back to 38 with scale 12, never cut)."""


def split(
    frame: Frame,
    ints: list[str],
    money: list[str],
    row: str,
    weight: str,
    total: str,
    part: str,
) -> Frame:
    """``frame`` with each of ``ints`` (integers) and ``money`` (``MONEY``, null stays null)
    replaced by this part's share ``weight / total`` of it, the parts of a row summing exactly.

    Args:
        row: the column identifying the source row (parts of one row share it).
        weight: this part's integer weight (>= 0).
        total: the row's total weight (> 0), the same on every part of the row.
        part: the part number, used to break ties between equal remainders.
    """
    wide = frames.wide_int(frame)
    units = {c: nw.col(c).cast(wide) for c in ints}
    units |= {c: (nw.col(c) * _SCALE).cast(wide) for c in money}
    cols = [*ints, *money]
    out = frame.with_columns(
        _sw=nw.col(weight).cast(wide),
        _st=nw.col(total).cast(wide),
        **{f"_v_{c}": e for c, e in units.items()},
    ).with_columns(**{f"_p_{c}": nw.col(f"_v_{c}") * nw.col("_sw") for c in cols})
    # Floor division: also right for negative amounts (credits).
    out = frames.floor_div(out, {f"_f_{c}": (f"_p_{c}", "_st") for c in cols})
    out = out.with_columns(
        **{
            f"_d_{c}": nw.col("_st") - (nw.col(f"_p_{c}") - nw.col(f"_f_{c}") * nw.col("_st"))
            for c in cols
        },
        **{f"_l_{c}": nw.col(f"_v_{c}") - nw.col(f"_f_{c}").sum().over(row) for c in cols},
    )
    # Rank by remainder, largest first (smallest _d), ties to the lower part number.
    out = out.with_columns(
        **{f"_o_{c}": nw.col(row).cum_count().over(row, order_by=[f"_d_{c}", part]) for c in cols}
    )
    shared = {
        c: nw.col(f"_f_{c}") + (nw.col(f"_o_{c}") <= nw.col(f"_l_{c}")).cast(wide) for c in cols
    }
    back = {c: shared[c].cast(nw.Int64) for c in ints}
    back |= {c: (shared[c].cast(nw.Decimal(38, 0)) * _UNIT).cast(frames.MONEY) for c in money}
    temp = ["_sw", "_st", *[f"_{k}_{c}" for c in cols for k in "vpfdlo"]]
    return out.with_columns(**back).drop(temp)
