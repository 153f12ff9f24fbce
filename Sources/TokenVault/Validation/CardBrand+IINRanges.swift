// The IIN table: the one place that says which prefixes belong to which scheme.
//
// Sources, checked 2026-12:
// - Each scheme's published ranges: Visa `4`; Mastercard `51–55` and `2221–2720` (Mastercard
//   Rules); American Express `34`, `37`; Diners Club International `300–305`, `3095`, `36`,
//   `38–39`; JCB `3528–3589`; Discover `6011`, `644–649`, `65`; UnionPay `62`, `81`; Mir
//   `2200–2204` (NSPK); Troy `9792` (BKM; `9` is MII "national assignment", `792` Turkey's
//   ISO 3166 code).
// - Cross-checked against braintree/credit-card-type `src/lib/card-types.ts` (visa, mastercard,
//   american-express, diners-club, discover, jcb, unionpay, maestro, elo, mir) and the
//   "Payment card number" IIN table on Wikipedia (RuPay, Troy, Verve).
//
// Where the tables disagree, and what this table does:
// - Elo: braintree's list (the `4…` BINs included: Elo cards issued on those BINs route on
//   Elo), plus `650057–650081` and `651680–651704`, which Elo's own BIN table has (as carried
//   by activemerchant's `ELO_RANGES`, which cites dev.elo.com.br) and braintree lacks.
// - RuPay: Wikipedia lists whole prefixes (`60`, `65`, `81`, `82`, `508`, `353`, `356`) that
//   would take Discover's `65`, UnionPay's `81` and JCB's `353`/`356` wholesale. NPCI publishes
//   no table; the four 6-digit ranges below are the ones Indian acquirers' checkout code
//   carries. A RuPay card outside them (a JCB or Discover co-badge) keeps that scheme's brand.
// - Troy: Wikipedia also lists `65` (Troy–Discover co-badges); those stay `discover`.
// - Verve: Wikipedia's three ranges; they sit inside Maestro's `50` and Discover's `65` and win
//   by being longer.
// - Maestro: kept as the first release had it (`50`, `56–58`, `67`, the 4-digit ranges and
//   `639000`), not braintree's catch-all `6`, which would swallow every unknown `6…` number.
// - UnionPay: `62` and `81` as before; braintree's finer list stays inside them.
//
// Precedence: the longest matching prefix wins. Two rows of different brands never cover the
// same prefix at the same length (a test checks it), so the order of rows does not matter.
extension CardBrand {
    public static let iinRanges: [IINRange] = [
        IINRange(4, .visa),
        IINRange(51...55, .mastercard), IINRange(2221...2720, .mastercard),
        IINRange(34, .amex), IINRange(37, .amex),
        IINRange(300...305, .diners), IINRange(3095, .diners), IINRange(36, .diners), IINRange(38...39, .diners),
        IINRange(3528...3589, .jcb),
        IINRange(6011, .discover), IINRange(644...649, .discover), IINRange(65, .discover),
        IINRange(62, .unionpay), IINRange(81, .unionpay),
        IINRange(50, .maestro), IINRange(56...58, .maestro), IINRange(67, .maestro), IINRange(639000, .maestro),
        IINRange(5018, .maestro), IINRange(5020, .maestro), IINRange(5038, .maestro), IINRange(5893, .maestro),
        IINRange(6304, .maestro), IINRange(6759, .maestro), IINRange(6761...6763, .maestro),
        IINRange(2200...2204, .mir),
        IINRange(508500...508999, .rupay), IINRange(606985...607984, .rupay),
        IINRange(608001...608500, .rupay), IINRange(652150...653149, .rupay),
        IINRange(9792, .troy),
        IINRange(506099...506198, .verve), IINRange(507865...507964, .verve), IINRange(650002...650027, .verve),
        IINRange(401178...401179, .elo), IINRange(431274, .elo), IINRange(438935, .elo), IINRange(451416, .elo),
        IINRange(457393, .elo), IINRange(457631...457632, .elo), IINRange(504175, .elo),
        IINRange(506699...506778, .elo), IINRange(509000...509999, .elo), IINRange(627780, .elo),
        IINRange(636297, .elo), IINRange(636368, .elo), IINRange(650031...650033, .elo),
        IINRange(650035...650051, .elo), IINRange(650057...650081, .elo), IINRange(650405...650439, .elo),
        IINRange(650485...650538, .elo), IINRange(650541...650598, .elo), IINRange(650700...650718, .elo),
        IINRange(650720...650727, .elo), IINRange(650901...650978, .elo), IINRange(651652...651704, .elo),
        IINRange(655000...655019, .elo), IINRange(655021...655058, .elo),
    ]
}
