import Foundation
import Testing

@testable import TokenVault

/// National check digits inside the BBAN (SPEC §11, issue 12). The vectors were produced with
/// python-stdnum 2.2 and schwifty 2026.10 as oracles (stdnum for BE, CZ, SK, ES, FI, IS, ME, NO,
/// schwifty for all); no Python is needed to run these tests.
@Suite struct NationalCheckDigitsTests {
    /// Per country: a valid IBAN (the registry's or python-stdnum's example), the same account with
    /// one digit mistyped and the IBAN check digits recomputed (mod-97 passes, only the national
    /// check catches it), and the same with a wrong national check digit (nil for CZ/SK, which
    /// have no separate one).
    static let perCountry: [(String, String, String, String?)] = [
        ("BE", "BE45102000000089", "BE61102000000189", "BE71102000000009"),
        ("CZ", "CZ6508000000192000145399", "CZ1708000000192000145099", nil),
        ("SK", "SK3112000000198742637541", "SK4812000000198742637041", nil),
        ("EE", "EE382200221020145685", "EE392200221020145085", "EE762200221020145680"),
        ("FI", "FI2112345600000785", "FI0612345600000085", "FI5912345600000780"),
        ("FR", "FR1420041010050500013M02606", "FR1520041010050500013M02006", "FR3520041010050500013M02616"),
        ("MC", "MC1112739000700011111000H79", "MC5912739000700011111001H79", "MC5812739000700011111000H09"),
        ("IS", "IS140159260076545510730339", "IS630159260076545510730039", "IS480159260076545510730309"),
        ("IT", "IT60X0542811101000000123456", "IT93X0542811101000000123056", "IT65A0542811101000000123456"),
        ("SM", "SM86U0322509800000000270100", "SM70U0322509800000000270000", "SM06A0322509800000000270100"),
        ("NO", "NO0215037577003", "NO1815037577103", "NO8315037577000"),
        ("PL", "PL61109010140000071219812874", "PL20109010040000071219812874", "PL64109010100000071219812874"),
        ("ES", "ES5800490290342413528341", "ES1000490290342413528041", "ES7500490290042413528341"),
        ("BA", "BA391290079401028494", "BA721290079401028094", "BA441290079401028404"),
        ("ME", "ME25540300002379920109", "ME09540300002379920009", "ME46540300002379920119"),
        ("MK", "MK07250120000058984", "MK57250120000058084", "MK33250120000058904"),
        ("PT", "PT50000201231234567890154", "PT34000201231234567890054", "PT42000201231234567890104"),
        ("RS", "RS35260005601001611379", "RS84260005601001611079", "RS82260005601001611309"),
        ("SI", "SI56191000000123438", "SI89191000000123038", "SI90191000000123408"),
        ("TL", "TL380080012345678910157", "TL220080012345678910057", "TL300080012345678910107"),
        ("MR", "MR1300020001010000123456753", "MR9500020001010000123456053", "MR0500020001010000123456703"),
        ("TN", "TN5910006035183598478831", "TN2810006035183598478031", "TN9310006035183598478801"),
    ]

    /// More IBANs per country from schwifty's generator (edge cases such as a Belgian `97`, a Spanish
    /// `0`/`1` or a Norwegian `0` check digit among them) and random one-digit mistypes with
    /// recomputed IBAN check digits, each with the oracles' verdict: true = accepted.
    static let generated: [(String, Bool)] = [
        ("BE24588399869838", true),
        ("BE27091417075373", true),
        ("BE30681188447211", true),
        ("BE54601103335297", true),
        ("BE54025414349297", true),
        ("BE54588379869838", false),
        ("BE64091457075373", false),
        ("BE73681188447213", false),
        ("CZ3076013329377396713956", true),
        ("CZ3785334204277026452832", true),
        ("CZ1133705618609802666489", true),
        ("CZ8976013329477396713956", false),
        ("CZ9385334204277021452832", false),
        ("CZ6431705618609802666489", true),
        ("CZ3333705618609802666481", false),
        ("SK8516044872264972185255", true),
        ("SK8754042618172599448483", true),
        ("SK1614411138495050819383", true),
        ("SK7316044822264972185255", false),
        ("SK4352042618172599448483", true),
        ("SK4716044872364972185255", false),
        ("SK7654042618172599448487", false),
        ("EE409565265647015733", true),
        ("EE831937817296685440", true),
        ("EE527507377781950914", true),
        ("EE077740125231114354", true),
        ("EE879101632182683990", true),
        ("EE399965265647015733", true),
        ("EE411937417296685440", false),
        ("EE067740125231134354", false),
        ("EE209565265647415733", false),
        ("FI1110898850162335", true),
        ("FI4800839263354236", true),
        ("FI2203263457897453", true),
        ("FI5422265831055150", true),
        ("FI7567552465376820", true),
        ("FI2210898850162331", false),
        ("FI5600839263354286", false),
        ("FI4303263457897463", false),
        ("FR2610262850087MI1GUEXPG426", true),
        ("FR889030208115HBFDZPJWPWN51", true),
        ("FR175947804909DCP8DXQA5GF90", true),
        ("FR370164861656GG4HISPQKRH02", true),
        ("FR129517771301U8PFKP1IVX601", true),
        ("FR5110260850087MI1GUEXPG426", false),
        ("FR065947804009DCP8DXQA5GF90", false),
        ("FR500164891656GG4HISPQKRH02", false),
        ("MC719752247010QYIEQVU3GTX33", true),
        ("MC5297950894718DQZ2LJELOE85", true),
        ("MC253870842368GXMQRMVLPZL50", true),
        ("MC388917238820S7PHUPLKG4N01", true),
        ("MC587775822343LMCZV1LUBSW01", true),
        ("MC439752257010QYIEQVU3GTX33", false),
        ("MC093070842368GXMQRMVLPZL50", false),
        ("MC408917238820S7PHUPLKG0N01", false),
        ("IS628414497243682569304552", true),
        ("IS603583557063053158599215", true),
        ("IS701384230577160674867653", true),
        ("IS490655132634872132507604", true),
        ("IS801701117766903523529500", true),
        ("IS208414497243282569304552", true),
        ("IS383583557063053108599215", false),
        ("IS281701117766902523529500", false),
        ("IS188414497243682469304552", false),
        ("IT73X36853798354N71TGVCK6P4", true),
        ("IT17P5237191107BW4UPVVUJSPD", true),
        ("IT64D7674982926IKACBUKFMNJC", true),
        ("IT42A7124783498QTK42MOABVDD", true),
        ("IT56A1788577062LC9TZKGGUMDL", true),
        ("IT53P5237192107BW4UPVVUJSPD", false),
        ("IT06A7124783198QTK42MOABVDD", false),
        ("IT91P5237191104BW4UPVVUJSPD", false),
        ("SM52T2333684322SK4FME6BCSFF", true),
        ("SM38X3320726354B4Z8OSIOP17S", true),
        ("SM34L3264461437SWHC2G4HTOEP", true),
        ("SM61A29616007231JMLDIO5Y9WX", true),
        ("SM37A6573908471FL4FVANXO0BE", true),
        ("SM03X3320726352B4Z8OSIOP17S", false),
        ("SM43A6503908471FL4FVANXO0BE", false),
        ("SM95L3264451437SWHC2G4HTOEP", false),
        ("NO3507583404508", true),
        ("NO3224829419943", true),
        ("NO0837461443061", true),
        ("NO8472916907010", true),
        ("NO5664668652970", true),
        ("NO8708583404508", false),
        ("NO8524729419943", false),
        ("NO5737461433061", false),
        ("PL21495994393774961039708350", true),
        ("PL91188221444010551678226228", true),
        ("PL16047908172356824735187233", true),
        ("PL43839797700145631713920457", true),
        ("PL58075695206670701117374484", true),
        ("PL96495994393774961039708358", true),
        ("PL60833797700145631713920457", false),
        ("PL98188261444010551678226228", false),
        ("PL34495999393774961039708350", false),
        ("ES9574707178815608737786", true),
        ("ES5325708998421809962415", true),
        ("ES0403919683906686823802", true),
        ("ES9787865715426809640689", true),
        ("ES5648025418752333126046", true),
        ("ES1174707178015608737786", false),
        ("ES3425708998471809962415", false),
        ("ES0903919683906686723802", false),
        ("BA390901610092926462", true),
        ("BA397667684480317344", true),
        ("BA395878338326850486", true),
        ("BA890301610092926462", false),
        ("BA067667684480317744", false),
        ("BA935878338326850484", false),
        ("ME25367805104673167715", true),
        ("ME25424716114931381611", true),
        ("ME25442639241037115896", true),
        ("ME19367805104677167715", false),
        ("ME75424116114931381611", false),
        ("ME20444639241037115896", false),
        ("MK07998KM5TLB7DBQ48", true),
        ("MK075673JD0E4M71T03", true),
        ("MK07852WJDFRQDCTU52", true),
        ("MK63998KM2TLB7DBQ48", false),
        ("MK025673JD0E4M71T93", false),
        ("MK03898KM5TLB7DBQ48", false),
        ("PT50456333928621783656027", true),
        ("PT50232612369947534158929", true),
        ("PT50166782202509444706140", true),
        ("PT03456333928621783626027", false),
        ("PT40232616369947534158929", false),
        ("PT12166782202509444706145", false),
        ("RS35298122024586631892", true),
        ("RS35827333385358357940", true),
        ("RS35584549386552876797", true),
        ("RS08298122044586631892", false),
        ("RS60827033385358357940", false),
        ("RS18584549686552876797", false),
        ("SI56321593014922935", true),
        ("SI56277315362134544", true),
        ("SI56886095111566976", true),
        ("SI64321593914922935", false),
        ("SI53277315364134544", false),
        ("SI59886095111506976", false),
        ("TL385623524776473402806", true),
        ("TL385386116512279853642", true),
        ("TL382260725652852258423", true),
        ("TL865623724776473402806", false),
        ("TL475386116512273853642", false),
        ("TL824260725652852258423", false),
        ("MR1396205264490213922763495", true),
        ("MR1350961500142911920016918", true),
        ("MR1342443399518033808134041", true),
        ("MR1390909635346471644450697", true),
        ("MR1344717452877623767098201", true),
        ("MR6496205263490213922763495", false),
        ("MR5450961500142911925016918", false),
        ("MR1742743399518033808134041", false),
        ("TN5975592604354983508232", true),
        ("TN5992399655198014743074", true),
        ("TN5901647249497989675031", true),
        ("TN5901048903664447401501", true),
        ("TN5986016386737771490797", true),
        ("TN0675592604354986508232", false),
        ("TN3392099655198014743074", false),
        ("TN1201647249497989645031", false),
    ]

    func issues(_ iban: String) -> [RowIssue] {
        var issues: [RowIssue] = []
        _ = BankAccountValidator(today: Date(timeIntervalSince1970: 1_790_000_000)).validate(
            .make([.iban: iban, .accountHolderName: "Test Holder"]), scratch: RowScratch(), issues: &issues)
        return issues
    }

    func passesMod97(_ iban: String) -> Bool { IBANRegistry.mod97(Array(iban.utf8)) == 1 }

    @Test(arguments: perCountry)
    func validPassesAndAMistypedAccountFails(country: String, valid: String, mistyped: String, wrongCheck: String?) {
        #expect(NationalCheckDigits.check(for: country) != nil)
        #expect(issues(valid).isEmpty, "\(valid)")
        for broken in [mistyped] + (wrongCheck.map { [$0] } ?? []) {
            #expect(passesMod97(broken), "the vector must pass mod-97 so that only the national check can catch it")
            let found = issues(broken)
            #expect(found.count == 1 && found[0].code == .checksumFailed && found[0].property == "iban", "\(broken): \(found)")
            #expect(found.first?.message.contains("national") == true)
            #expect(!(found.first?.message.contains(String(broken.dropFirst(4))) ?? true), "messages never hold the value")
        }
    }

    @Test(arguments: generated)
    func generatedVectorsGetTheOraclesVerdict(iban: String, accepted: Bool) {
        #expect(passesMod97(iban))
        let found = issues(iban)
        if accepted { #expect(found.isEmpty, "\(iban): \(found)") } else { #expect(found.map(\.code) == [.checksumFailed], "\(iban)") }
    }

    /// The countries of SPEC §11, and no others.
    @Test func theTableCoversTheListedCountries() {
        let listed = Set("BE CZ SK EE FI FR MC IS IT SM NO PL ES BA ME MK PT RS SI TL MR TN".split(separator: " ").map(String.init))
        #expect(Set(NationalCheckDigits.table.keys) == listed)
        #expect(Set(Self.perCountry.map(\.0)) == listed)
    }

    /// python-stdnum's Spanish examples that pass mod-97 but not the CCC check digits.
    @Test(arguments: ["ES2121000418450200051331", "ES89 3183 1500 9500 0121 0562"])
    func stdnumsSpanishCounterExamples(iban: String) {
        #expect(issues(iban).map(\.code) == [.checksumFailed])
    }

    /// Norway's accounts with `00` in digits 5–6 are not checked (the implementations disagree);
    /// a `00` account that fails the usual mod-11 still passes on mod-97.
    @Test func norwegianDoubleZeroAccountsAreExempt() {
        let bban = "14940034037"
        let plain = WeightedSumCheck(groups: [.init(0..<11, weights: [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1], modulus: 11)])
        #expect(!plain.isValid(Array(bban.utf8)[...]))
        let iban = "NO" + IBANRegistry.checkDigits(country: "NO", bban: bban) + bban
        #expect(issues(iban).isEmpty)
    }

    /// Built IBANs (samples, tests) pass the national checks of every listed country.
    @Test(arguments: Array(NationalCheckDigits.table.keys).sorted())
    func exampleIBANsPass(country: String) {
        for seed in 0..<40 {
            let iban = IBANRegistry.country(country)!.exampleIBAN(seed: seed * 7919)
            #expect(issues(iban).isEmpty, "\(iban)")
        }
    }

    /// Every valid IBAN in python-stdnum's IBAN tests (registry samples and real-world forms,
    /// with spaces, dashes, dots and lower case) is accepted: 194 of 194.
    @Test func everyStdnumValidExampleIsAccepted() {
        let examples = Self.stdnumValid.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(examples.count == 194)
        let rejected = examples.filter { !issues($0).isEmpty }
        #expect(rejected.isEmpty, "\(rejected)")
    }

    static let stdnumValid = """
        AD12 0001 2030 2003 5910 0100
        AD1200012030200359100100
        AE070331234567890123456
        AL47 2121 1009 0000 0002 3569 8741
        AL47212110090000000235698741
        AT61 1904 3002 3457 3201
        AT611904300234573201
        AZ21NABZ00000000137010001944
        BA39 1290 0794 0102 8494
        BA391290079401028494
        BG80 BNBG 9661 1020 3456 78
        BG80BNBG96611020345678
        BH67BMAG00001299123456
        BR1800000000141455123924100C2
        BR9700360305000010009795493P1
        CH93 0076 2011 6238 5295 7
        CH9300762011623852957
        CY17 0020 0128 0000 0012 0052 7600
        CY17002001280000001200527600
        CZ65 0800 0000 1920 0014 5399
        CZ6508000000192000145399
        CZ94 5500 0000 0010 1103 8930
        CZ9455000000001011038930
        DE89 3704 0044 0532 0130 00
        DE89370400440532013000
        DK50 0040 0440 1162 43
        DK5000400440116243
        DO28BAGR00000001212453611324
        EE38 2200 2210 2014 5685
        EE382200221020145685
        ES 58 0049 0290 3424 1352 8341
        ES04 0075 0078 0605 0005 0355
        ES0521053014113400002160
        ES10 0075 0080 11 0600658108
        ES15-0049-1806-9121-1186-9374
        ES2030810089311100269222
        ES24 2090 3191 1400 4012 1040
        ES27 3183 1500 9600 0121 0562
        ES28 2104 0485 5390 6968 2983
        ES29 2100 2815 9822 0059 9427
        ES37 2038 8700 7861 0000 9781
        ES39 0081 0294 66 0001238624
        ES58 1465 0100 9719 0014 4593
        ES59 0049 5030 1129 1601 1246
        ES62 2100 4288 5922 0010 4465
        ES72 2013-0692-81-0201150993
        ES72 2048 1075 8334 0000 2171
        ES81 0081 5515 2900 0157 5763
        ES8521005731710200031769
        ES86 2013 0095 1102 0142 6812
        ES86 30580157682720001384
        ES88 2095 0497 9191 0708 8631
        ES91 2100 0418 4502 0005 1332
        ES9121000418450200051332
        ES98 0049 5442 2227 1606 6973
        FI21 1234 5600 0007 85
        FI2112345600000785
        FI5542345670000081
        FO62 6460 0001 6316 34
        FO6264600001631634
        FR14 2004 1010 0505 0001 3M02 606
        FR1420041010050500013M02606
        GB29 NWBK 6016 1331 9268 19
        GB29NWBK60161331926819
        GE29 NB00 0000 0101 9049 17
        GE29NB0000000101904917
        GI75 NWBK 0000 0000 7099 453
        GI75NWBK000000007099453
        GL89 6471 0001 0002 06
        GL8964710001000206
        GR16 0110 1250 0000 0001 2300 695
        GR1601101250000000012300695
        GT82TRAJ01020000001210029690
        HR12 1001 0051 8630 0016 0
        HR1210010051863000160
        HU42 1177 3016 1111 1018 0000 0000
        HU42117730161111101800000000
        IE29 AIBK 9311 5212 3456 78
        IE29AIBK93115212345678
        IL62 0108 0000 0009 9999 999
        IL620108000000099999999
        IS14 0159 2600 7654 5510 7303 39
        IS140159260076545510730339
        IT60 X054 2811 1010 0000 0123 456
        IT60X0542811101000000123456
        JO94CBJO0010000000000131000302
        KZ86125KZT5004100100
        LB62 0999 0000 0001 0019 0122 9114
        LB62099900000001001901229114
        LI21 0881 0000 2324 013A A
        LI21088100002324013AA
        LT12 1000 0111 0100 1000
        LT121000011101001000
        LU28 0019 4006 4475 0000
        LU280019400644750000
        LV80 BANK 0000 4351 9500 1
        LV80BANK0000435195001
        MC11 1273 9000 7000 1111 1000 h79
        MC1112739000700011111000h79
        MD24AG000225100013104168
        ME 25 5403 0000 2379 9201 09
        ME 2551 0000 0000 0623 4133
        ME 25510260797324001246
        ME 25525007010044076639
        ME 25535005130000020047
        ME 25540000007300246820
        ME 25550005080000004970
        ME25 5050 0001 2345 6789 51
        ME25505000012345678951
        MK072 5012 0000 0589 84
        MK07250120000058984
        MR13 0002 0001 0100 0012 3456 753
        MR1300020001010000123456753
        MT84 MALT 0110 0001 2345 MTLC AST0 01S
        MT84MALT011000012345MTLCAST001S
        MU17 BOMM 0101 1010 3030 0200 000M UR
        MU17 BOMM0101101030300200000MUR
        NL91 ABNA 0417 1643 00
        NL91ABNA0417164300
        NO 02 15037577003
        NO 05 15030383041
        NO 0560110516994
        NO 0571 3905 25162
        NO 0828014322061
        NO 1232600465693
        NO 19 4920 06 96270
        NO 21 650 405 251 19
        NO 2342009668904
        NO 26 7032 0516 038
        NO 3036245391786
        NO 31 6018 04 47124
        NO 33 4270 06 08551
        NO 35 9650 05 73667
        NO 39 4750 07 95936
        NO 39 6318 05 01489
        NO 39 7874 0597 506
        NO 40 1503 7355 353
        NO 402333 06 01019
        NO 43 651 204 471 94
        NO 44 1850.05.14562
        NO 4575600702548
        NO 5314300642641
        NO 57 78740655867
        NO 5997501101463
        NO 62 650 204 441 20
        NO 6865040505746
        NO 6940872430085
        NO 6947780786090
        NO 71 7694 05 00903
        NO 7615030839797
        NO 89 42004151326
        NO 91 16024246306
        NO05 7058 0555 568
        NO07.8380.08.06006
        NO1782000193468
        NO2476940517075
        NO38 8200 06 10190
        NO4697500641723
        NO5876940518888
        NO71.4202.47.14777
        NO77 7694 0511 077
        NO89 4760 5692 776
        NO8976940512510
        NO93 8601 1117 947
        NO9386011117947
        NO9832271000153
        PK36SCBL0000001123456702
        PL61 1090 1014 0000 0712 1981 2874
        PL61109010140000071219812874
        PS92PALS000000000400123456702
        PT50 0002 0123 1234 5678 9015 4
        PT50000201231234567890154
        QA58DOHB00001234567890ABCDEFG
        RO49 AAAA 1B31 0075 9384 0000
        RO49AAAA1B31007593840000
        RS35 2600 0560 1001 6113 79
        RS35260005601001611379
        SA03 8000 0000 6080 1016 7519
        SA0380000000608010167519
        SE45 5000 0000 0583 9825 7466
        SE4550000000058398257466
        SI56 1910 0000 0123 438
        SI56191000000123438
        SK31 1200 0000 1987 4263 7541
        SK3112000000198742637541
        SM86 U032 2509 8000 0000 0270 100
        SM86U0322509800000000270100
        TL 38 008 00123456789101 57
        TN59 1000 6035 1835 9847 8831
        TN5910006035183598478831
        TR33 0006 1005 1978 6457 8413 26
        TR330006100519786457841326
        VG96VPVG0000012345678901
        XK051212012345678906
        """
}

/// The separators real files put in IBANs.
@Suite struct IBANSeparatorTests {
    func issues(_ iban: String) -> ([RowIssue], RowScratch) {
        var issues: [RowIssue] = []
        let scratch = RowScratch()
        _ = BankAccountValidator(today: Date(timeIntervalSince1970: 1_790_000_000)).validate(
            .make([.iban: iban, .accountHolderName: "Test Holder"]), scratch: scratch, issues: &issues)
        return (issues, scratch)
    }

    @Test(arguments: [
        ("ES15-0049-1806-9121-1186-9374", "ES1500491806912111869374"), ("NO 44 1850.05.14562", "NO4418500514562"),
        ("NO07.8380.08.06006", "NO0783800806006"), ("ES72 2013-0692-81-0201150993", "ES7220130692810201150993"),
        ("de89\t3704 0044 0532 0130 00", "DE89370400440532013000"),
    ])
    func dashesDotsAndSpacesAreSeparators(written: String, normalised: String) {
        let (found, scratch) = issues(written)
        #expect(found.isEmpty, "\(found)")
        #expect(String(decoding: scratch.identity, as: UTF8.self) == "iban:" + normalised, "one account however it is written")
    }

    @Test(arguments: ["DE89_3704_0044_0532_0130_00", "DE89/3704/0044/0532/0130/00", "DE89,3704,0044,0532,0130,00"])
    func otherPunctuationIsStillInvalid(written: String) {
        #expect(issues(written).0.map(\.code) == [.invalidFormat])
    }
}
